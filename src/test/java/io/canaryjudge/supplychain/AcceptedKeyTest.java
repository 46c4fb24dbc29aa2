package io.canaryjudge.supplychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keys and signatures made by another implementation (the openssl command line) are read and checked the same way
 * as cosign's: PEM "PUBLIC KEY" files, DER ECDSA signatures over SHA-256, pure Ed25519; the key id is the one
 * {@code openssl pkey -pubin -outform DER | sha256sum} gives.
 */
class AcceptedKeyTest {
    @TempDir
    Path dir;

    @Test
    void p256KeysAndSignaturesFromOpensslVerifyAndKeepTheirId() throws Exception {
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.key");
        openssl("pkey", "-in", "ec.key", "-pubout", "-out", "ec.pub");
        openssl("pkey", "-pubin", "-in", "ec.pub", "-outform", "DER", "-out", "ec.der");
        byte[] message = "{\"critical\":{}}".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("msg"), message);
        openssl("dgst", "-sha256", "-sign", "ec.key", "-out", "msg.sig", "msg");

        AcceptedKey key = AcceptedKey.load(dir.resolve("ec.pub"));

        assertEquals(AcceptedKey.Algorithm.ECDSA_P256, key.algorithm());
        assertEquals(sha256Hex(Files.readAllBytes(dir.resolve("ec.der"))).substring(0, 16), key.keyId());
        assertTrue(key.verifies(message, Files.readAllBytes(dir.resolve("msg.sig"))));
        assertFalse(key.verifies("{\"critical\":{ }}".getBytes(StandardCharsets.UTF_8),
                Files.readAllBytes(dir.resolve("msg.sig"))));
        assertFalse(key.verifies(message, new byte[] {0x30, 0x02, 0x01}), "malformed signatures are just false");
        assertEquals(key.keyId(), AcceptedKey.fromPem(key.pem()).keyId(), "the id survives a PEM round trip");
    }

    @Test
    void ed25519KeysAndSignaturesFromOpensslVerify() throws Exception {
        openssl("genpkey", "-algorithm", "ed25519", "-out", "ed.key");
        openssl("pkey", "-in", "ed.key", "-pubout", "-out", "ed.pub");
        openssl("pkey", "-pubin", "-in", "ed.pub", "-outform", "DER", "-out", "ed.der");
        byte[] message = "payload".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("msg"), message);
        openssl("pkeyutl", "-sign", "-inkey", "ed.key", "-rawin", "-in", "msg", "-out", "msg.sig");

        AcceptedKey key = AcceptedKey.load(dir.resolve("ed.pub"));

        assertEquals(AcceptedKey.Algorithm.ED25519, key.algorithm());
        assertEquals(sha256Hex(Files.readAllBytes(dir.resolve("ed.der"))).substring(0, 16), key.keyId());
        assertTrue(key.verifies(message, Files.readAllBytes(dir.resolve("msg.sig"))));
        assertFalse(key.verifiesDigest(new byte[32], Files.readAllBytes(dir.resolve("msg.sig"))),
                "Ed25519 cannot be checked from a digest");
    }

    @Test
    void otherCurvesAndAlgorithmsAreRefused() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp384r1"));
        IllegalArgumentException p384 = assertThrows(IllegalArgumentException.class,
                () -> AcceptedKey.of(ec.generateKeyPair().getPublic()));
        assertTrue(p384.getMessage().contains("other than P-256"), p384.getMessage());

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
                () -> AcceptedKey.of(rsa.generateKeyPair().getPublic()));
        assertTrue(r.getMessage().contains("only ECDSA P-256 and Ed25519") && r.getMessage().contains("RSA"), r.getMessage());

        IllegalArgumentException priv = assertThrows(IllegalArgumentException.class,
                () -> AcceptedKey.fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
        assertTrue(priv.getMessage().contains("expected a PEM \"PUBLIC KEY\" block"), priv.getMessage());
    }

    @Test
    void aFileMayListSeveralAcceptedKeys() throws Exception {
        AcceptedKey a = AcceptedKey.of(CosignFixtures.p256().getPublic());
        AcceptedKey b = AcceptedKey.of(CosignFixtures.ed25519().getPublic());

        List<AcceptedKey> keys = AcceptedKey.allFromPem("# release keys\n" + a.pem() + "\n" + b.pem());

        assertEquals(List.of(a.keyId(), b.keyId()), keys.stream().map(AcceptedKey::keyId).toList());
    }

    private void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + Files.readString(dir.resolve("openssl.log")));
        }
    }

    private static String sha256Hex(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
