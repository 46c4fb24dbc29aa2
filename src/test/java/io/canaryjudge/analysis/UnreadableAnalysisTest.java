package io.canaryjudge.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.testing.RealInfrastructure;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.Phase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A RUNNING analysis in the store whose template document cannot be read (written by another version, edited by
 * hand) ends once, ERROR with verdict INCONCLUSIVE and the reason, instead of being retried every few seconds forever.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class UnreadableAnalysisTest {

    @Inject
    AnalysisStore store;

    @Test
    void anUnreadableStoredAnalysisEndsInErrorWithTheReason() {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        store.insertIfAbsent(new AnalysisRecord(id, "unreadable-" + id, "d-1", "shop", "unreadable-" + now.toEpochMilli(),
                null, "http-golden-signals", "sha256:" + "1".repeat(64), "sha256:" + "2".repeat(64),
                "{\"id\":\"unreadable\"}", "{\"name\": \"t\", \"interval\": [not json", now.minusSeconds(600),
                Duration.ofMinutes(1), 10, Phase.RUNNING, null, null, null, null, now, now, null, null));
        // the sweep finds it, resumes it, and cannot read it
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> store.find(id).orElseThrow().phase() == Phase.ERROR);
        AnalysisRecord a = store.find(id).orElseThrow();
        assertEquals("INCONCLUSIVE", a.verdict());
        assertTrue(a.reason().startsWith("The stored analysis cannot be read (its template or event document)"),
                a.reason());
        assertTrue(a.verdictJson().contains("\"phase\":\"ERROR\""), a.verdictJson());
        assertEquals(0, store.measurementCount(id), "no measurement was attempted with an unreadable template");
    }
}
