package io.canaryjudge.intake;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * 10,000 generated malformed events interleaved with valid ones (and repeats of them) on the real broker: every
 * bad one is dead-lettered with a reason, every valid one gets exactly one verdict, the service stays ready.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class HostileIntakeTest {
    private static final int BAD = 10_000;
    /** One valid event (sent twice) after every this many malformed ones. */
    private static final int EVERY = 160;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    @Test
    void tenThousandMalformedEventsAreDeadLetteredAndEveryValidOneGetsOneVerdict() throws Exception {
        String run = "fz" + System.nanoTime();
        Random rnd = new Random(7);
        Map<String, Integer> badKinds = new HashMap<>();
        Set<String> valid = new HashSet<>();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < BAD; i++) {
                int kind = i % 12;
                byte[] bad = malformed(kind, i, run, rnd);
                badKinds.merge("kind" + kind, 1, Integer::sum);
                ProducerRecord<String, byte[]> r = new ProducerRecord<>("deployments", "shop/cart", bad);
                r.headers().add("fuzz-run", run.getBytes(StandardCharsets.UTF_8));
                producer.send(r);
                if (i % EVERY == 0) {
                    String id = run + "-ok-" + valid.size();
                    valid.add(id);
                    // a service of its own: a newer canary of the same service would supersede (cancel) this one
                    byte[] event = DemoScenario.event(id, "cart-" + valid.size(), startedAt, "rules-nodata", null)
                            .getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>("deployments", "shop/cart", event));
                    producer.send(new ProducerRecord<>("deployments", "shop/cart", event)); // a repeated id
                }
            }
            producer.flush();
        }

        Map<String, Integer> verdicts = new HashMap<>();
        int deadLetters = 0;
        List<String> reasonless = new ArrayList<>();
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, run);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("deployments.dlq", "canary-verdicts"));
            long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
            while (System.nanoTime() < deadline && (deadLetters < BAD || verdicts.size() < valid.size())) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.topic().equals("deployments.dlq")) {
                        if (run.equals(KafkaTestClient.header(r, "fuzz-run"))) {
                            deadLetters++;
                            String reason = KafkaTestClient.header(r, "reason");
                            if (reason == null || !reason.startsWith("invalid: ")) {
                                reasonless.add(String.valueOf(reason));
                            }
                        }
                    } else {
                        String value = KafkaTestClient.value(r);
                        for (String id : valid) {
                            if (value.contains("\"eventId\":\"" + id + "\"")) {
                                verdicts.merge(id, 1, Integer::sum);
                            }
                        }
                    }
                }
            }
            // a little longer, to catch any duplicate verdict
            long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < settle) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    if (r.topic().equals("canary-verdicts")) {
                        String value = KafkaTestClient.value(r);
                        valid.stream().filter(id -> value.contains("\"eventId\":\"" + id + "\""))
                                .forEach(id -> verdicts.merge(id, 1, Integer::sum));
                    } else if (run.equals(KafkaTestClient.header(r, "fuzz-run"))) {
                        deadLetters++;
                    }
                }
            }
        }
        assertEquals(BAD, deadLetters, "every malformed event is dead-lettered exactly once: " + badKinds);
        assertTrue(reasonless.isEmpty(), "every dead letter has a reason: " + reasonless.subList(0, Math.min(5, reasonless.size())));
        assertEquals(BAD / EVERY + 1, valid.size());
        assertEquals(valid.size(), verdicts.size(), "every valid event got a verdict");
        assertTrue(verdicts.values().stream().allMatch(n -> n == 1), "exactly one verdict per event id: " + verdicts);
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    /** Twelve families of bad input, each with its own randomness. */
    private byte[] malformed(int kind, int i, String run, Random rnd) {
        String good = DemoScenario.event(run + "-bad-" + i, "cart", startedAt, "rules-nodata", null);
        return switch (kind) {
            case 0 -> randomBytes(rnd, 1 + rnd.nextInt(300));
            case 1 -> good.substring(0, rnd.nextInt(good.length() - 1)).getBytes(StandardCharsets.UTF_8); // truncated
            case 2 -> good.replace("\"namespace\":\"shop\"", "\"namespace\":" + rnd.nextInt()).getBytes(StandardCharsets.UTF_8);
            case 3 -> good.replace("\"deploymentId\":\"cart-42\"", "\"deploymentId\":\"" + "x".repeat(300 + rnd.nextInt(5000)) + "\"")
                    .getBytes(StandardCharsets.UTF_8);
            case 4 -> ("{\"id\":\"" + run + i + "\",\"canary\":[" + "1,".repeat(40_000 + rnd.nextInt(1000)) + "1]}")
                    .getBytes(StandardCharsets.UTF_8); // huge array, over the size limit
            case 5 -> good.replace("\"track\":\"canary\"", "\"track\\\"} or vector(1) #\":\"canary\"").getBytes(StandardCharsets.UTF_8);
            case 6 -> good.replace("sha256:" + "c".repeat(64), rnd.nextBoolean() ? "latest" : "sha256:" + "c".repeat(63))
                    .getBytes(StandardCharsets.UTF_8);
            case 7 -> good.replace("rules-nodata", "no-such-template-" + rnd.nextInt(100)).getBytes(StandardCharsets.UTF_8);
            case 8 -> ("[" + good + "]").getBytes(StandardCharsets.UTF_8); // not an object
            case 9 -> good.replace("\"startedAt\":\"", "\"startedAt\":\"yesterday").getBytes(StandardCharsets.UTF_8);
            case 10 -> good.replace("\"type\":\"canary.started\"", "\"type\":" + (rnd.nextBoolean() ? "null" : "[1,2]"))
                    .getBytes(StandardCharsets.UTF_8);
            default -> ("{\"specversion\":\"1.0\",\"id\":\"" + i + "\",\"type\":\"canary.started\",\"data\":\"" + "%".repeat(rnd.nextInt(50)) + "\"}")
                    .getBytes(StandardCharsets.UTF_8); // CloudEvent whose data is not the event
        };
    }

    private static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        if (b[0] == '{' || b[0] == '[') {
            b[0] = 'x';
        }
        return b;
    }
}
