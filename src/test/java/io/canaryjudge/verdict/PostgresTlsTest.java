package io.canaryjudge.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store URL deploy/ uses ({@code sslmode=verify-full&sslrootcert=<mounted CA>}) against a real PostgreSQL with
 * TLS on, whose certificate an openssl-made CA signed for the name {@code localhost}: the connection is encrypted
 * and accepted only when the CA is the one mounted AND the certificate names the host the URL names.
 * {@code sslmode=require}, what prod used before, accepts a certificate from anyone.
 */
class PostgresTlsTest {
    private static Path dir;
    private static PostgresServer pg;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("pg-tls");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=canary-judge test CA",
                "-keyout", "ca.key", "-out", "ca.crt");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=someone else's CA",
                "-keyout", "other-ca.key", "-out", "other-ca.crt");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
                "-out", "server.csr");
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:localhost\n");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "server.ext", "-out", "server.crt");
        pg = PostgresServer.startWithTls(dir.resolve("server.crt"), dir.resolve("server.key"));
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }

    private String url(String host, String params) {
        return "jdbc:postgresql://" + host + ":" + pg.port() + "/canary?" + params;
    }

    private static boolean encrypted(String url) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "canary", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertTrue(rs.next());
            return rs.getBoolean(1);
        }
    }

    @Test
    void verifyFullWithTheMountedCaConnectsEncryptedAndTheServiceUsesTheUrlAsGiven() throws SQLException {
        String url = url("localhost", "sslmode=verify-full&sslrootcert=" + dir.resolve("ca.crt"));
        assertTrue(encrypted(url));
        // the URL reaches the "pg" datasource unchanged, parameters included
        assertEquals(url, DatabaseConfigSource.derive(url, "canary", "").get("quarkus.datasource.\"pg\".jdbc.url"));
    }

    @Test
    void verifyFullRefusesACertificateSignedByAnotherCa() {
        SQLException e = assertThrows(SQLException.class, () -> encrypted(url("localhost",
                "sslmode=verify-full&sslrootcert=" + dir.resolve("other-ca.crt"))));
        assertTrue(String.valueOf(e.getMessage()).contains("SSL error"), e.getMessage());
        assertTrue(causes(e).contains("PKIX path building failed"), causes(e));
    }

    private static String causes(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.append(c.getMessage()).append(" <- ");
        }
        return out.toString();
    }

    @Test
    void verifyFullRefusesACertificateForAnotherHostWhichVerifyCaAccepts() throws SQLException {
        // 127.0.0.1 is the same server, but its certificate names only localhost: a stolen certificate of another
        // host signed by the same CA would look like this
        String ca = "sslrootcert=" + dir.resolve("ca.crt");
        SQLException e = assertThrows(SQLException.class, () -> encrypted(url("127.0.0.1", "sslmode=verify-full&" + ca)));
        assertTrue(String.valueOf(e.getMessage()).contains("could not be verified"), e.getMessage());
        assertTrue(encrypted(url("127.0.0.1", "sslmode=verify-ca&" + ca)));
    }

    @Test
    void requireEncryptsButChecksNothing() throws SQLException {
        // what prod had: any certificate is accepted, so a man in the middle with his own is too
        assertTrue(encrypted(url("127.0.0.1", "sslmode=require&sslrootcert=" + dir.resolve("other-ca.crt"))));
    }
}
