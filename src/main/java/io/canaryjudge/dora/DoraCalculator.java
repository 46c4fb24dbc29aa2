package io.canaryjudge.dora;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The DORA four from the verdict stream (definitions after Google's Four Keys, adapted to canary verdicts; the
 * README's "Web UI and DORA" section states them). Pure: same deployments and window, same figures.
 *
 * <p>Computed one service at a time ({@link Accumulator}): the store streams a window of 10^6 judged analyses
 * grouped by service, and only one service's deployments and the window's durations (8 bytes each) are held.
 */
public final class DoraCalculator {
    private static final double SECONDS_PER_DAY = 86_400;

    private DoraCalculator() {
    }

    /**
     * @param deployments judged deployments started at or after {@code since}; later ones than {@code until} may be
     *                    included and only serve as the roll-forward that restored an earlier failure
     */
    public static DoraReport compute(List<Deployment> deployments, Instant since, Instant until) {
        Objects.requireNonNull(deployments, "deployments == null");
        Accumulator acc = new Accumulator(since, until);
        Map<String, List<Deployment>> byService = new TreeMap<>();
        for (Deployment d : deployments) {
            byService.computeIfAbsent(d.namespace() + "\u0000" + d.service(), k -> new ArrayList<>()).add(d);
        }
        byService.values().forEach(acc::service);
        return acc.report();
    }

    /**
     * Figures over [since, until) built one service at a time: give it each service's judged deployments started at or
     * after {@code since} (those after {@code until} only serve as roll-forwards), in any order, then take the report.
     */
    public static final class Accumulator {
        private final Instant since;
        private final Instant until;
        private final double days;
        private final Counts overall = new Counts();
        private final List<DoraReport.ServiceFigures> services = new ArrayList<>();

        public Accumulator(Instant since, Instant until) {
            this.since = Objects.requireNonNull(since, "since == null");
            this.until = Objects.requireNonNull(until, "until == null");
            if (!since.isBefore(until)) {
                throw new IllegalArgumentException("since must be before until");
            }
            this.days = Duration.between(since, until).toMillis() / 1000.0 / SECONDS_PER_DAY;
        }

        /** Adds the deployments of one namespace/service (all of them: a service must not be given twice). */
        public void service(List<Deployment> deployments) {
            if (deployments.isEmpty()) {
                return;
            }
            Deployment[] all = deployments.toArray(new Deployment[0]);
            Arrays.sort(all, Comparator.comparing(Deployment::startedAt));
            Instant[] nextPromotion = nextPromotions(all);
            Counts own = new Counts();
            for (int i = 0; i < all.length; i++) {
                Deployment d = all[i];
                if (d.startedAt().isBefore(since) || !d.startedAt().isBefore(until)) {
                    continue;
                }
                own.add(d, nextPromotion[i]);
            }
            if (own.deployments == 0) {
                return;
            }
            overall.add(own);
            services.add(new DoraReport.ServiceFigures(all[0].namespace(), all[0].service(), own.figures(days)));
        }

        public DoraReport report() {
            List<DoraReport.ServiceFigures> sorted = new ArrayList<>(services);
            sorted.sort(Comparator.comparing(DoraReport.ServiceFigures::namespace)
                    .thenComparing(DoraReport.ServiceFigures::service));
            return new DoraReport(since, until, overall.figures(days), List.copyOf(sorted));
        }
    }

    /**
     * Per deployment (sorted by start), the completion of the first later-started promoted deployment of the same
     * service — the roll-forward that restored it if it failed: the earliest completion among promoted deployments
     * that started strictly after it. One pass from the end, ties of start time kept apart.
     */
    private static Instant[] nextPromotions(Deployment[] byStart) {
        Instant[] next = new Instant[byStart.length];
        Instant best = null;
        int i = byStart.length - 1;
        while (i >= 0) {
            int j = i;
            while (j > 0 && byStart[j - 1].startedAt().equals(byStart[i].startedAt())) {
                j--;
            }
            for (int k = j; k <= i; k++) {
                next[k] = best;
            }
            for (int k = j; k <= i; k++) {
                Deployment d = byStart[k];
                if (d.promoted() && (best == null || d.completedAt().isBefore(best))) {
                    best = d.completedAt();
                }
            }
            i = j - 1;
        }
        return next;
    }

    /** Counts and durations (seconds) of a set of deployments in the window. */
    private static final class Counts {
        int deployments;
        int promoted;
        int failed;
        int byRollback;
        int byRollForward;
        int unrestored;
        final Seconds lead = new Seconds();
        final Seconds restore = new Seconds();

        void add(Deployment d, Instant nextPromotion) {
            deployments++;
            if (d.promoted()) {
                promoted++;
                if (d.commitTime() != null) {
                    lead.add(Duration.between(d.commitTime(), d.completedAt()));
                }
            }
            if (!d.failed()) {
                return;
            }
            failed++;
            if (d.rollbackAppliedAt() != null) {
                byRollback++;
                restore.add(nonNegative(Duration.between(d.completedAt(), d.rollbackAppliedAt())));
            } else if (nextPromotion != null) {
                byRollForward++;
                restore.add(nonNegative(Duration.between(d.completedAt(), nextPromotion)));
            } else {
                unrestored++;
            }
        }

        void add(Counts o) {
            deployments += o.deployments;
            promoted += o.promoted;
            failed += o.failed;
            byRollback += o.byRollback;
            byRollForward += o.byRollForward;
            unrestored += o.unrestored;
            lead.addAll(o.lead);
            restore.addAll(o.restore);
        }

        DoraFigures figures(double days) {
            Double cfr = deployments == 0 ? null : (double) failed / deployments;
            return new DoraFigures(deployments, promoted, failed, promoted / days, cfr, lead.stats(), restore.stats(),
                    byRollback, byRollForward, unrestored);
        }
    }

    /** A growing array of durations in seconds (millisecond resolution, as the figures report them). */
    private static final class Seconds {
        double[] values = new double[8];
        int n;

        void add(Duration d) {
            add(d.toMillis() / 1000.0);
        }

        void add(double s) {
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = s;
        }

        void addAll(Seconds o) {
            for (int i = 0; i < o.n; i++) {
                add(o.values[i]);
            }
        }

        DurationStats stats() {
            return DurationStats.of(Arrays.copyOf(values, n));
        }
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
