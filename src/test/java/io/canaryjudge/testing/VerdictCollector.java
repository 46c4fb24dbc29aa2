package io.canaryjudge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads {@code canary-verdicts} until every expected event has a verdict: the verdict per event id and every
 * CloudEvent id seen for it (a re-publication has the same id; a second verdict would not).
 */
public final class VerdictCollector {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The verdicts and the CloudEvent ids per event id. */
    public record Collected(Map<String, String> verdicts, Map<String, Set<String>> cloudEventIds) {
    }

    private VerdictCollector() {
    }

    public static Collected collect(KafkaTestClient client, Set<String> eventIds, Duration timeout) {
        Map<String, Set<String>> ids = new HashMap<>();
        Map<String, String> verdicts = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && verdicts.size() < eventIds.size()) {
            for (ConsumerRecord<String, byte[]> r : client.readAll("canary-verdicts", Duration.ofSeconds(2))) {
                try {
                    JsonNode v = JSON.readTree(r.value());
                    String id = v.path("eventId").asText();
                    if (eventIds.contains(id)) {
                        ids.computeIfAbsent(id, k -> new HashSet<>()).add(KafkaTestClient.header(r, "ce_id"));
                        verdicts.put(id, v.path("verdict").asText());
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return new Collected(verdicts, ids);
    }

    /** {@code n} services {@code svc-0..}; even ones get a clearly worse canary, odd ones a canary without errors. */
    public static List<SyntheticWorkload.Service> services(int n) {
        SyntheticWorkload.Profile stable = new SyntheticWorkload.Profile(60, 0.002, 0.04, 0.35, 200_000_000L, 4_000_000L, 0.008);
        SyntheticWorkload.Profile bad = new SyntheticWorkload.Profile(20, 0.10, 0.12, 0.35, 260_000_000L, 4_000_000L, 0.0144);
        // a healthy canary has no errors at all, so that a dozen healthy canaries are not a dozen chances of a 5 %
        // false alarm: these tests are about losing nothing, not about the false-alarm rate (see the simulation)
        SyntheticWorkload.Profile good = new SyntheticWorkload.Profile(20, 0.0, 0.04, 0.35, 200_000_000L, 4_000_000L, 0.008);
        List<SyntheticWorkload.Service> services = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            services.add(new SyntheticWorkload.Service("shop", "svc-" + i, stable, i % 2 == 0 ? bad : good));
        }
        return services;
    }
}
