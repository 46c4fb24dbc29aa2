package io.canaryjudge.supplychain;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECFieldFp;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A public key whose signatures are accepted: ECDSA on P-256 (cosign's default key pair, signatures DER-encoded,
 * SHA-256) or Ed25519, read from a PEM {@code PUBLIC KEY} (PKIX SubjectPublicKeyInfo) block as {@code cosign.pub}
 * holds it. Only the JDK's own providers are used.
 *
 * @param keyId     the first 16 hex digits of SHA-256 over the DER SubjectPublicKeyInfo: the same key always has the
 *                  same id, wherever it was loaded from ({@code openssl pkey -pubin -outform DER | sha256sum})
 * @param algorithm {@link Algorithm#ECDSA_P256} or {@link Algorithm#ED25519}
 * @param key       the JDK public key
 */
public record AcceptedKey(String keyId, Algorithm algorithm, PublicKey key) {
    public enum Algorithm { ECDSA_P256, ED25519 }

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
    // secp256r1 (NIST P-256): its prime and order, to refuse every other curve
    private static final BigInteger P256_P = new BigInteger(
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
    private static final BigInteger P256_N = new BigInteger(
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);

    public AcceptedKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(key, "key");
    }

    /** Reads one key from a PEM file. */
    public static AcceptedKey load(Path pemFile) throws IOException {
        return fromPem(Files.readString(pemFile, StandardCharsets.US_ASCII));
    }

    /** Reads every {@code PUBLIC KEY} block of a PEM text (a file may list several accepted keys). */
    public static List<AcceptedKey> allFromPem(String pem) {
        List<AcceptedKey> keys = new ArrayList<>();
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            if (!"PUBLIC KEY".equals(m.group(1))) {
                throw new IllegalArgumentException("expected a PEM \"PUBLIC KEY\" block, found \"" + m.group(1) + "\"");
            }
            keys.add(fromDer(Base64.getMimeDecoder().decode(m.group(2))));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no PEM \"PUBLIC KEY\" block");
        }
        return List.copyOf(keys);
    }

    /** Reads the single {@code PUBLIC KEY} block of a PEM text. */
    public static AcceptedKey fromPem(String pem) {
        List<AcceptedKey> keys = allFromPem(pem);
        if (keys.size() != 1) {
            throw new IllegalArgumentException("expected one public key, found " + keys.size());
        }
        return keys.get(0);
    }

    /** A key from its DER SubjectPublicKeyInfo. */
    public static AcceptedKey fromDer(byte[] der) {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        PublicKey key;
        Algorithm algorithm;
        try {
            key = KeyFactory.getInstance("EC").generatePublic(spec);
            algorithm = Algorithm.ECDSA_P256;
            if (!isP256(((ECPublicKey) key).getParams())) {
                throw new IllegalArgumentException("EC key on a curve other than P-256 (secp256r1): not accepted");
            }
        } catch (InvalidKeySpecException notEc) {
            try {
                key = KeyFactory.getInstance("Ed25519").generatePublic(spec);
                algorithm = Algorithm.ED25519;
            } catch (InvalidKeySpecException notEd) {
                throw new IllegalArgumentException("unsupported public key: only ECDSA P-256 and Ed25519 are accepted ("
                        + describe(spec) + ")");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new AcceptedKey(keyId(key.getEncoded()), algorithm, key);
    }

    /** Wraps a JDK key (tests, or keys held elsewhere). */
    public static AcceptedKey of(PublicKey key) {
        return fromDer(key.getEncoded());
    }

    /** The stable id of a DER SubjectPublicKeyInfo: first 16 hex digits of its SHA-256. */
    public static String keyId(byte[] spkiDer) {
        return HexFormat.of().formatHex(sha256(spkiDer)).substring(0, 16);
    }

    /** This key as a PEM {@code PUBLIC KEY} block. */
    public String pem() {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /**
     * Whether {@code signature} is this key's signature over exactly {@code message}: SHA256withECDSA with an ASN.1 DER
     * signature for P-256 (as cosign writes it), pure Ed25519 for Ed25519. Malformed signatures are simply false.
     */
    public boolean verifies(byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance(algorithm == Algorithm.ECDSA_P256 ? "SHA256withECDSA" : "Ed25519");
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException malformed) {
            return false;
        }
    }

    /**
     * Whether {@code signature} signs the message whose SHA-256 is {@code sha256}, for bundles that carry only the
     * message's digest. ECDSA signs the digest (NONEwithECDSA over it equals SHA256withECDSA over the message); Ed25519
     * signs whole messages and cannot be checked from a digest, so this is false for it.
     */
    public boolean verifiesDigest(byte[] sha256, byte[] signature) {
        if (algorithm != Algorithm.ECDSA_P256 || sha256.length != 32) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("NONEwithECDSA");
            s.initVerify(key);
            s.update(sha256);
            return s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException malformed) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "AcceptedKey[" + keyId + ", " + algorithm + "]";
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isP256(ECParameterSpec params) {
        return params.getCurve().getField() instanceof ECFieldFp fp && P256_P.equals(fp.getP())
                && P256_N.equals(params.getOrder()) && params.getCofactor() == 1;
    }

    private static String describe(X509EncodedKeySpec spec) {
        for (String alg : List.of("RSA", "Ed448", "DSA")) {
            try {
                KeyFactory.getInstance(alg).generatePublic(spec);
                return alg;
            } catch (GeneralSecurityException ignored) {
                // not this one either
            }
        }
        return "not a key the JDK can read";
    }
}
