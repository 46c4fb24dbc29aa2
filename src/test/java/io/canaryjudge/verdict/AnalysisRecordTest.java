package io.canaryjudge.verdict;

import io.canaryjudge.judge.Verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.canaryjudge.testing.AnalysisRecordBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AnalysisRecordTest {
    private static final Instant END = Instant.parse("2026-11-26T01:20:00Z");

    private static AnalysisRecord ended() {
        return AnalysisRecordBuilder.analysis().id("a-1").environment("prod").eventJson("{\"id\":\"evt-a-1\"}")
                .templateJson("{\"name\":\"t\"}").ended(Verdict.ABORT, END).score(12.5).reason("errors")
                .verdictJson("{\"verdict\":\"ABORT\"}").updatedAt(END).publishedAt(END.plusSeconds(1)).build();
    }

    @Test
    void withProgressChangesOnlyThePhaseAndThePlannedCount() {
        AnalysisRecord a = ended();
        AnalysisRecord moved = a.withProgress(new AnalysisStore.Progress(Phase.RUNNING, 12, 2));
        assertEquals(Phase.RUNNING, moved.phase());
        assertEquals(12, moved.measurementCount());
        assertEquals(AnalysisRecordBuilder.from(a).measurementCount(12).phase(Phase.RUNNING).build(), moved);
    }

    @Test
    void withoutDocumentsDropsTheThreeDocumentsAndKeepsTheRest() {
        AnalysisRecord a = ended();
        AnalysisRecord bare = a.withoutDocuments();
        assertEquals(AnalysisRecordBuilder.from(a).eventJson(null).templateJson(null).verdictJson(null).build(), bare);
        assertEquals("shop/checkout", bare.key());
    }

    @Test
    void theBuilderDefaultsToAPendingAnalysisOfShopCheckout() {
        AnalysisRecord a = AnalysisRecordBuilder.analysis().id("x").build();
        assertEquals("evt-x", a.eventId());
        assertEquals(Phase.PENDING, a.phase());
        assertEquals("shop/checkout", a.key());
        assertEquals(AnalysisRecordBuilder.STARTED.plusSeconds(60), a.createdAt());
        assertEquals(a.createdAt(), a.updatedAt());
        AnalysisRecord done = ended();
        assertEquals(Phase.FAILED, done.phase());
        assertEquals(END, done.completedAt());
        assertEquals(Verdict.ABORT, done.verdict());
        assertEquals(done, AnalysisRecordBuilder.from(done).build(), "from copies every component");
    }
}
