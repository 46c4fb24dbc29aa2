package io.canaryjudge.dora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DoraCalculatorTest {
    private static final Instant SINCE = Instant.parse("2026-10-01T00:00:00Z");
    private static final Instant UNTIL = Instant.parse("2026-10-03T00:00:00Z");

    private static Deployment d(String id, String verdict, String started, String completed, String commit,
                                String rollback) {
        return new Deployment(id, "shop", "pay", verdict, Instant.parse(started), Instant.parse(completed),
                commit == null ? null : Instant.parse(commit), rollback == null ? null : Instant.parse(rollback));
    }

    @Test
    void appliedRollbackRestoresFromTheVerdictAndCountsAPromotedDeploymentAsFailed() {
        List<Deployment> ds = List.of(
                d("a", "ABORT", "2026-10-01T10:00:00Z", "2026-10-01T10:05:00Z", null, "2026-10-01T10:05:30Z"),
                d("b", "PROMOTE", "2026-10-01T11:00:00Z", "2026-10-01T11:30:00Z", "2026-10-01T11:00:00Z",
                        "2026-10-01T12:00:00Z"),
                d("c", "PROMOTE", "2026-10-02T11:00:00Z", "2026-10-02T11:10:00Z", null, null));
        DoraFigures f = DoraCalculator.compute(ds, SINCE, UNTIL).overall();
        assertEquals(3, f.deployments());
        assertEquals(2, f.promoted());
        assertEquals(2, f.failed());
        assertEquals(1.0, f.deploymentsPerDay());
        assertEquals(2.0 / 3, f.changeFailureRate());
        assertEquals(new DurationStats(2, 915.0, 915.0), f.timeToRestore());
        assertEquals(2, f.restoredByRollback());
        assertEquals(0, f.restoredByRollForward());
        assertEquals(new DurationStats(1, 1800.0, 1800.0), f.leadTime());
    }

    @Test
    void emptyWindowHasNoRatesButZeroFrequency() {
        DoraFigures f = DoraCalculator.compute(List.of(), SINCE, UNTIL).overall();
        assertEquals(0, f.deployments());
        assertEquals(0.0, f.deploymentsPerDay());
        assertNull(f.changeFailureRate());
        assertEquals(new DurationStats(0, null, null), f.leadTime());
    }

    @Test
    void deploymentsOutsideTheWindowOnlyServeAsRollForward() {
        List<Deployment> ds = List.of(
                d("a", "ABORT", "2026-10-02T23:00:00Z", "2026-10-02T23:10:00Z", null, null),
                d("b", "PROMOTE", "2026-10-03T01:00:00Z", "2026-10-03T01:10:00Z", null, null));
        DoraFigures f = DoraCalculator.compute(ds, SINCE, UNTIL).overall();
        assertEquals(1, f.deployments());
        assertEquals(0, f.promoted());
        assertEquals(new DurationStats(1, 7200.0, 7200.0), f.timeToRestore());
        assertEquals(1, f.restoredByRollForward());
    }

    @Test
    void windowMustNotBeEmpty() {
        assertEquals("since must be before until",
                assertThrows(IllegalArgumentException.class, () -> DoraCalculator.compute(List.of(), UNTIL, UNTIL))
                        .getMessage());
    }
}
