package io.canaryjudge.dora;

import io.canaryjudge.judge.Verdict;
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
        return new Deployment(id, "shop", "pay", Verdict.valueOf(verdict), Instant.parse(started), Instant.parse(completed),
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

    /** The figures computed one service at a time equal the first, whole-list definition on random histories. */
    @Test
    void serviceAtATimeEqualsTheWholeListDefinition() {
        java.util.Random r = new java.util.Random(8);
        Verdict[] verdicts = {Verdict.PROMOTE, Verdict.PROMOTE, Verdict.ABORT, Verdict.INCONCLUSIVE};
        for (int run = 0; run < 200; run++) {
            List<Deployment> ds = new java.util.ArrayList<>();
            int n = r.nextInt(60);
            for (int i = 0; i < n; i++) {
                // coarse start times (ties), some after the window (roll-forwards only)
                Instant started = SINCE.plusSeconds(3600L * r.nextInt(60));
                Instant completed = started.plusSeconds(60L * (1 + r.nextInt(120)));
                Instant commit = r.nextBoolean() ? started.minusSeconds(r.nextInt(100_000)) : null;
                Instant rollback = r.nextInt(5) == 0 ? completed.plusSeconds(r.nextInt(600) - 60) : null;
                ds.add(new Deployment("d" + i, "ns" + r.nextInt(2), "svc" + r.nextInt(4), verdicts[r.nextInt(4)],
                        started, completed, commit, rollback));
            }
            assertEquals(Reference.compute(ds, SINCE, UNTIL), DoraCalculator.compute(ds, SINCE, UNTIL), "run " + run);
        }
    }

    /** The definition as first written: every failure looks for its roll-forward in the whole list. */
    private static final class Reference {
        static DoraReport compute(List<Deployment> deployments, Instant since, Instant until) {
            double days = java.time.Duration.between(since, until).toMillis() / 1000.0 / 86_400;
            List<Deployment> window = deployments.stream()
                    .filter(d -> !d.startedAt().isBefore(since) && d.startedAt().isBefore(until)).toList();
            java.util.Map<String, List<Deployment>> byService = new java.util.TreeMap<>();
            for (Deployment d : window) {
                byService.computeIfAbsent(d.namespace() + "\u0000" + d.service(), k -> new java.util.ArrayList<>()).add(d);
            }
            List<DoraReport.ServiceFigures> services = new java.util.ArrayList<>();
            byService.values().forEach(list -> services.add(new DoraReport.ServiceFigures(list.get(0).namespace(),
                    list.get(0).service(), figures(list, deployments, days))));
            return new DoraReport(since, until, figures(window, deployments, days), List.copyOf(services));
        }

        private static DoraFigures figures(List<Deployment> window, List<Deployment> all, double days) {
            int promoted = 0;
            int failed = 0;
            int byRollback = 0;
            int byRollForward = 0;
            int unrestored = 0;
            List<Double> lead = new java.util.ArrayList<>();
            List<Double> restore = new java.util.ArrayList<>();
            for (Deployment d : window) {
                if (d.promoted()) {
                    promoted++;
                    if (d.commitTime() != null) {
                        lead.add(java.time.Duration.between(d.commitTime(), d.completedAt()).toMillis() / 1000.0);
                    }
                }
                if (!d.failed()) {
                    continue;
                }
                failed++;
                if (d.rollbackAppliedAt() != null) {
                    byRollback++;
                    restore.add(Math.max(0, java.time.Duration.between(d.completedAt(), d.rollbackAppliedAt()).toMillis()
                            / 1000.0));
                    continue;
                }
                java.util.Optional<Deployment> next = all.stream().filter(o -> o.promoted() && o.key().equals(d.key())
                        && o.startedAt().isAfter(d.startedAt())).min(java.util.Comparator.comparing(Deployment::completedAt));
                if (next.isPresent()) {
                    byRollForward++;
                    restore.add(Math.max(0, java.time.Duration.between(d.completedAt(), next.get().completedAt()).toMillis()
                            / 1000.0));
                } else {
                    unrestored++;
                }
            }
            Double cfr = window.isEmpty() ? null : (double) failed / window.size();
            return new DoraFigures(window.size(), promoted, failed, promoted / days, cfr,
                    DurationStats.of(lead.stream().mapToDouble(Double::doubleValue).toArray()),
                    DurationStats.of(restore.stream().mapToDouble(Double::doubleValue).toArray()), byRollback,
                    byRollForward, unrestored);
        }
    }
}
