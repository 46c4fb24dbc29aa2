package io.canaryjudge.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for TLS tests, made by the {@code openssl} command as an operator would make them: a certificate
 * authority (PEM) and server certificates it signs for the loopback address. Each call makes a new key pair, so two
 * authorities never trust each other's certificates.
 */
public final class TestCertificates {
    private TestCertificates() {
    }

    /** A certificate authority: its certificate (what clients trust) and its key (what signs). */
    public record Authority(Path certificate, Path key) {
    }

    /**
     * A server's key store as one PEM file (certificate, then the unencrypted PKCS#8 private key), the form Kafka
     * reads with {@code ssl.keystore.type=PEM}.
     */
    public record ServerKeyStore(Path pem) {
    }

    /** A new self-signed certificate authority in {@code dir}, files named after {@code name}. */
    public static Authority authority(Path dir, String name) {
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "2", "-subj", "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return new Authority(cert, key);
    }

    /** A server certificate for 127.0.0.1 and localhost signed by {@code ca}, with its key, in one PEM file. */
    public static ServerKeyStore server(Path dir, String name, Authority ca) {
        try {
            Path key = dir.resolve(name + ".key");
            Path csr = dir.resolve(name + ".csr");
            Path cert = dir.resolve(name + ".crt");
            Path ext = dir.resolve(name + ".ext");
            Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
            openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", csr.toString(),
                    "-subj", "/CN=localhost");
            openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", ca.certificate().toString(), "-CAkey",
                    ca.key().toString(), "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile",
                    ext.toString());
            Path pem = dir.resolve(name + ".pem");
            Files.writeString(pem, Files.readString(cert) + Files.readString(key));
            return new ServerKeyStore(pem);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the server certificate", e);
        }
    }

    private static void openssl(Path dir, String... args) {
        try {
            Files.createDirectories(dir);
            List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("openssl is needed for the TLS tests", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
