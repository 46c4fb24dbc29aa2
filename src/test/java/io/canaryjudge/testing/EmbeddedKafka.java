package io.canaryjudge.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A genuine single-node KRaft Kafka broker (broker + controller) in this JVM, on free loopback ports. It always has
 * a PLAINTEXT listener; {@link #startWithSaslSsl} adds a SASL_SSL listener (TLS with a certificate of a test
 * authority, SCRAM-SHA-512 logins) as production brokers have, for tests of the service's secured connection.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /** The SCRAM mechanism of the SASL_SSL listener. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    private KafkaRaftServer server;
    private final String bootstrap;
    private final Properties props;
    private final SaslSsl saslSsl;

    /**
     * The SASL_SSL listener: its address, the certificate authority that signed the broker's certificate (the PEM
     * a client must trust) and the one SCRAM user the broker knows.
     */
    public record SaslSsl(String bootstrapServers, TestCertificates.Authority authority, String username,
                          String password) {
    }

    private EmbeddedKafka(KafkaRaftServer server, String bootstrap, Properties props, SaslSsl saslSsl) {
        this.server = server;
        this.bootstrap = bootstrap;
        this.props = props;
        this.saslSsl = saslSsl;
    }

    /** Stops the broker (clients see it gone) without deleting its data. */
    public void stop() {
        server.shutdown();
        server.awaitShutdown();
    }

    /** Starts the broker again on the same ports with the same data, as after a broker restart. */
    public void restart() {
        server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
    }

    public static EmbeddedKafka start(Path logDir) {
        return start(logDir, null, null);
    }

    /**
     * A broker with a SASL_SSL listener besides PLAINTEXT (which stays for the test's own clients and between the
     * broker and its controller): TLS with a server certificate for 127.0.0.1 signed by a new test authority, and
     * SCRAM-SHA-512 with the one user {@code username}/{@code password}, created when the storage is formatted.
     */
    public static EmbeddedKafka startWithSaslSsl(Path logDir, String username, String password) {
        return start(logDir, username, password);
    }

    private static EmbeddedKafka start(Path logDir, String username, String password) {
        try {
            Files.createDirectories(logDir);
            int port = freePort();
            int controllerPort = freePort();
            Properties p = new Properties();
            p.put("process.roles", "broker,controller");
            p.put("node.id", "1");
            p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            SaslSsl saslSsl = null;
            if (username != null) {
                int securePort = freePort();
                // beside the log directory: the broker refuses a directory in it that is not a partition
                Path tls = logDir.resolveSibling(logDir.getFileName() + "-tls");
                TestCertificates.Authority ca = TestCertificates.authority(tls, "broker-ca");
                TestCertificates.ServerKeyStore keyStore = TestCertificates.server(tls, "broker", ca);
                p.put("listeners", p.get("listeners") + ",SASL_SSL://127.0.0.1:" + securePort);
                p.put("advertised.listeners", p.get("advertised.listeners") + ",SASL_SSL://127.0.0.1:" + securePort);
                p.put("listener.security.protocol.map", p.get("listener.security.protocol.map") + ",SASL_SSL:SASL_SSL");
                p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
                p.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", SCRAM_MECHANISM);
                p.put("listener.name.sasl_ssl." + SCRAM_MECHANISM.toLowerCase() + ".sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
                p.put("listener.name.sasl_ssl.ssl.keystore.type", "PEM");
                p.put("listener.name.sasl_ssl.ssl.keystore.location", keyStore.pem().toAbsolutePath().toString());
                saslSsl = new SaslSsl("127.0.0.1:" + securePort, ca, username, password);
            }
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("log.dirs", logDir.toAbsolutePath().toString());
            p.put("num.partitions", "1");
            p.put("offsets.topic.replication.factor", "1");
            p.put("offsets.topic.num.partitions", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("share.coordinator.state.topic.replication.factor", "1");
            p.put("share.coordinator.state.topic.min.isr", "1");
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("auto.create.topics.enable", "true");
            p.put("log.flush.interval.messages", "1");
            Path cfg = logDir.resolve("server.properties");
            try (var out = Files.newOutputStream(cfg)) {
                p.store(out, "canary-judge embedded broker");
            }
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            java.util.List<String> format = new java.util.ArrayList<>(java.util.List.of("format", "-t",
                    Uuid.randomUuid().toString(), "-c", cfg.toString(), "--ignore-formatted"));
            if (saslSsl != null) {
                // SCRAM credentials live in the cluster metadata: the first records of the formatted log
                format.addAll(java.util.List.of("--add-scram", SCRAM_MECHANISM + "=[name=" + username + ",password="
                        + password + "]"));
            }
            int rc = StorageTool.execute(format.toArray(String[]::new), new PrintStream(log, true, StandardCharsets.UTF_8));
            if (rc != 0) {
                throw new IllegalStateException("kafka storage format failed: " + log.toString(StandardCharsets.UTF_8));
            }
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
            server.startup();
            return new EmbeddedKafka(server, "127.0.0.1:" + port, p, saslSsl);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker", e);
        }
    }

    /** The PLAINTEXT listener. */
    public String bootstrapServers() {
        return bootstrap;
    }

    /** The SASL_SSL listener, when started by {@link #startWithSaslSsl}. */
    public SaslSsl saslSsl() {
        if (saslSsl == null) {
            throw new IllegalStateException("this broker was started without a SASL_SSL listener");
        }
        return saslSsl;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
