package io.canaryjudge.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (Debian's package) in a temporary directory on a free loopback port, with a database
 * {@code canary} owned by user {@code canary} (trust authentication on loopback). As root, the server runs as the
 * {@code postgres} user, since PostgreSQL refuses to run as root.
 */
public final class PostgresServer implements AutoCloseable {
    private final Path data;
    private final String pgCtl;
    private final List<String> asUser;
    private final int port;
    private final String opts;

    private PostgresServer(Path data, String pgCtl, List<String> asUser, int port, String opts) {
        this.data = data;
        this.pgCtl = pgCtl;
        this.asUser = asUser;
        this.port = port;
        this.opts = opts;
    }

    /** Starts the stopped server again with the same data and port. */
    public void restart() {
        try {
            run(List.of(pgCtl, "-D", data.toString(), "-o", opts, "-l", data.getParent().resolve("postgres.log").toString(),
                    "-w", "-t", "60", "start"), data.getParent(), asUser);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PostgresServer start() {
        return start(null, null);
    }

    /**
     * Like {@link #start()}, with TLS on: the server presents {@code certificate} (PEM, its chain's CA is the
     * client's business) with {@code key}. Clients choose their sslmode; plain connections are still accepted.
     */
    public static PostgresServer startWithTls(Path certificate, Path key) {
        return start(certificate, key);
    }

    private static PostgresServer start(Path certificate, Path key) {
        try {
            Path bin = binDir();
            Path dir = Files.createTempDirectory("canary-pg");
            Path data = dir.resolve("data");
            boolean root = "root".equals(System.getProperty("user.name"));
            List<String> asUser = root ? List.of("runuser", "-u", "postgres", "--") : List.of();
            String tls = "";
            if (certificate != null) {
                // PostgreSQL refuses a key file that others can read, or that the server user does not own
                Files.copy(certificate, dir.resolve("server.crt"));
                Files.copy(key, dir.resolve("server.key"));
                Files.setPosixFilePermissions(dir.resolve("server.key"),
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                if (root) {
                    run(List.of("chown", "postgres", dir.resolve("server.crt").toString(),
                            dir.resolve("server.key").toString()), dir, List.of());
                }
                tls = " -c ssl=on -c ssl_cert_file=" + dir.resolve("server.crt") + " -c ssl_key_file=" + dir.resolve("server.key");
            }
            if (root) {
                run(List.of("chown", "postgres", dir.toString()), dir, List.of());
            }
            run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "canary", "--auth=trust",
                    "-E", "UTF8", "--no-sync"), dir, asUser);
            int port = EmbeddedKafka.freePort();
            String opts = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off" + tls;
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-o", opts, "-l",
                    dir.resolve("postgres.log").toString(), "-w", "-t", "60", "start"), dir, asUser);
            PostgresServer server = new PostgresServer(data, bin.resolve("pg_ctl").toString(), asUser, port, opts);
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "canary", "");
                 Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE canary");
            }
            return server;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("cannot start PostgreSQL: " + e.getMessage(), e);
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/canary";
    }

    public String user() {
        return "canary";
    }

    /** Stops the server at once, as a crash would (no checkpoint). */
    @Override
    public void close() {
        stop();
    }

    /** Stops the server at once, as a crash would; {@link #restart()} brings it back. */
    public void stop() {
        try {
            run(List.of(pgCtl, "-D", data.toString(), "-m", "immediate", "-w", "stop"), data.getParent(), asUser);
        } catch (IOException | RuntimeException e) {
            // already stopped
        }
    }

    private static Path binDir() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Optional<Path> bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.naturalOrder());
                if (bin.isPresent()) {
                    return bin.get();
                }
            }
        }
        throw new IllegalStateException("PostgreSQL is not installed: apt-get install -y --no-install-recommends postgresql");
    }

    private static void run(List<String> command, Path dir, List<String> asUser) throws IOException {
        List<String> full = new ArrayList<>(asUser);
        full.addAll(command);
        Path log = Files.createTempFile("pg-cmd", ".log");
        Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", full) + " failed:\n" + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
