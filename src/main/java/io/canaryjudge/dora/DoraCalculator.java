package io.canaryjudge.dora;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The DORA four from the verdict stream (definitions after Google's Four Keys, adapted to canary verdicts; the
 * README's "Web UI and DORA" section states them). Pure: same deployments and window, same figures.
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
        Objects.requireNonNull(since, "since == null");
        Objects.requireNonNull(until, "until == null");
        if (!since.isBefore(until)) {
            throw new IllegalArgumentException("since must be before until");
        }
        double days = Duration.between(since, until).toMillis() / 1000.0 / SECONDS_PER_DAY;
        List<Deployment> window = deployments.stream()
                .filter(d -> !d.startedAt().isBefore(since) && d.startedAt().isBefore(until)).toList();
        Map<String, List<Deployment>> byService = new TreeMap<>();
        for (Deployment d : window) {
            byService.computeIfAbsent(d.namespace() + "\u0000" + d.service(), k -> new ArrayList<>()).add(d);
        }
        List<DoraReport.ServiceFigures> services = new ArrayList<>();
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
        List<Duration> lead = new ArrayList<>();
        List<Duration> restore = new ArrayList<>();
        for (Deployment d : window) {
            if (d.promoted()) {
                promoted++;
                if (d.commitTime() != null) {
                    lead.add(Duration.between(d.commitTime(), d.completedAt()));
                }
            }
            if (!d.failed()) {
                continue;
            }
            failed++;
            if (d.rollbackAppliedAt() != null) {
                byRollback++;
                restore.add(nonNegative(Duration.between(d.completedAt(), d.rollbackAppliedAt())));
                continue;
            }
            Optional<Deployment> next = nextPromotion(d, all);
            if (next.isPresent()) {
                byRollForward++;
                restore.add(nonNegative(Duration.between(d.completedAt(), next.get().completedAt())));
            } else {
                unrestored++;
            }
        }
        Double cfr = window.isEmpty() ? null : (double) failed / window.size();
        return new DoraFigures(window.size(), promoted, failed, promoted / days, cfr, DurationStats.of(lead),
                DurationStats.of(restore), byRollback, byRollForward, unrestored);
    }

    /** The first later deployment of the same service that was promoted: from then on a good version runs. */
    private static Optional<Deployment> nextPromotion(Deployment failure, List<Deployment> all) {
        return all.stream()
                .filter(o -> o.promoted() && o.key().equals(failure.key()) && o.startedAt().isAfter(failure.startedAt()))
                .min(Comparator.comparing(Deployment::completedAt));
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
