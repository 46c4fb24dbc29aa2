package io.canaryjudge.analysis;

import io.canaryjudge.judge.Verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.event.DeploymentEvent;
import io.canaryjudge.event.EventReader;
import io.canaryjudge.template.TemplateRepository;
import io.canaryjudge.testing.AnalysisRecordBuilder;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.RealInfrastructure;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.MeasurementRecord;
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
 * A service that stopped after storing an analysis' final measurement (decision FINISH) but before storing its
 * verdict: when the sweep resumes the analysis, it ends with the stored decision — it does not take and judge a
 * measurement the analysis never planned, which could turn the verdict.
 */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class FinalDecisionResumeTest {

    @Inject
    AnalysisStore store;
    @Inject
    TemplateRepository templates;
    @Inject
    ObjectMapper json;
    @Inject
    EventReader events;

    @Test
    void aResumedAnalysisEndsWithItsStoredFinalDecision() throws Exception {
        String id = stored("{\"decision\":\"FINISH\",\"verdict\":\"ABORT\",\"phase\":\"FAILED\","
                + "\"reason\":\"errors 2.1x stable (stored before the crash)\",\"metrics\":[]}");
        AnalysisRecord a = awaitEnd(id);
        assertEquals(Phase.FAILED, a.phase());
        assertEquals(Verdict.ABORT, a.verdict());
        assertEquals("errors 2.1x stable (stored before the crash)", a.reason());
        assertEquals(3, store.measurementCount(id), "no fourth measurement was taken");
        assertTrue(a.verdictJson().contains("\"measurements\":3"), a.verdictJson());
    }

    @Test
    void aFinalDecisionStoredWithoutItsPhaseEndsInThePhaseOfItsVerdict() throws Exception {
        // measurements stored by earlier versions carry the decision and verdict but no phase
        String id = stored("{\"decision\":\"FINISH\",\"verdict\":\"PROMOTE\",\"reason\":\"no regression\","
                + "\"metrics\":[]}");
        AnalysisRecord a = awaitEnd(id);
        assertEquals(Phase.SUCCESSFUL, a.phase());
        assertEquals(Verdict.PROMOTE, a.verdict());
        assertEquals(3, store.measurementCount(id));
    }

    /** A RUNNING analysis of 10 planned measurements whose third and last stored one decided to finish. */
    private String stored(String finalMeasurement) throws Exception {
        String id = UUID.randomUUID().toString();
        String service = "resume-" + id.substring(0, 8);
        Instant now = Instant.now();
        Instant startedAt = now.minus(Duration.ofMinutes(30));
        DeploymentEvent event = events.read(json.readTree(DemoScenario.event("resume-" + id, service, startedAt)));
        String template = json.writeValueAsString(templates.find("http-golden-signals").orElseThrow());
        store.insertIfAbsent(AnalysisRecordBuilder.analysis().id(id).eventId(event.id())
                .deploymentId(event.deploymentId()).namespace(event.namespace()).service(service)
                .canaryDigest(event.canary().digest()).stableDigest(event.stable().digest())
                .eventJson(json.writeValueAsString(event)).templateJson(template).startedAt(startedAt)
                .phase(Phase.RUNNING).created(now).build());
        for (int seq = 1; seq <= 3; seq++) {
            String result = seq < 3 ? "{\"decision\":\"CONTINUE\",\"verdict\":\"INCONCLUSIVE\",\"metrics\":[]}"
                    : finalMeasurement;
            store.addMeasurement(new MeasurementRecord(id, seq, startedAt.plus(Duration.ofMinutes(seq - 1L)),
                    startedAt.plus(Duration.ofMinutes(seq)), now, seq < 3 ? Verdict.INCONCLUSIVE : Verdict.ABORT, null, result));
        }
        return id;
    }

    private AnalysisRecord awaitEnd(String id) {
        // the sweep (every few seconds in tests) finds the RUNNING analysis nobody runs and resumes it
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> store.find(id).orElseThrow().phase().terminal());
        return store.find(id).orElseThrow();
    }
}
