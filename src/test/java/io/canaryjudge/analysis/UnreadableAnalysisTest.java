package io.canaryjudge.analysis;

import io.canaryjudge.judge.Verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.testing.AnalysisRecordBuilder;
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
        store.insertIfAbsent(AnalysisRecordBuilder.analysis().id(id).eventId("unreadable-" + id).deploymentId("d-1")
                .service("unreadable-" + now.toEpochMilli()).canaryDigest("sha256:" + "1".repeat(64))
                .stableDigest("sha256:" + "2".repeat(64)).eventJson("{\"id\":\"unreadable\"}")
                .templateJson("{\"name\": \"t\", \"interval\": [not json").startedAt(now.minusSeconds(600))
                .phase(Phase.RUNNING).created(now).build());
        // the sweep finds it, resumes it, and cannot read it
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> store.find(id).orElseThrow().phase() == Phase.ERROR);
        AnalysisRecord a = store.find(id).orElseThrow();
        assertEquals(Verdict.INCONCLUSIVE, a.verdict());
        assertTrue(a.reason().startsWith("The stored analysis cannot be read (its template or event document)"),
                a.reason());
        assertTrue(a.verdictJson().contains("\"phase\":\"ERROR\""), a.verdictJson());
        assertEquals(0, store.measurementCount(id), "no measurement was attempted with an unreadable template");
    }
}
