package io.canaryjudge.analysis;

import io.canaryjudge.verdict.AnalysisStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The store leases this replica holds, per analysis it runs: claimed at its first measurement here, renewed by the
 * engine's timer, named by every measurement and verdict written (fencing: a replica whose lease was taken over writes
 * nothing).
 */
final class HeldLeases {
    private static final Logger LOG = Logger.getLogger(HeldLeases.class);

    private final AnalysisStore store;
    private final AnalysisConfig config;
    private final Clock clock;
    private final Map<String, AnalysisStore.Lease> held = new ConcurrentHashMap<>();
    /**
     * This replica, as a lease holder: its pod name. A restarted container of the same pod takes its leases back at
     * once (the old process is gone); another pod waits until they expire.
     */
    private final String holder = holder();
    private final Counter fenced;

    HeldLeases(AnalysisStore store, AnalysisConfig config, Clock clock, MeterRegistry registry) {
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.fenced = Counter.builder("canary.analysis.fenced.writes")
                .description("Measurements and verdicts not written because another replica had claimed the analysis "
                        + "(this replica paused longer than its lease)").register(registry);
    }

    private static String holder() {
        String pod = System.getenv("HOSTNAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "canary-judge-" + java.util.UUID.randomUUID();
        }
    }

    /** Extends the leases of the analyses this replica runs (one batch per renewal period). */
    void renew() {
        try {
            store.renew(holder, List.copyOf(held.keySet()), clock.instant().plus(config.leaseDuration()));
        } catch (RuntimeException e) {
            LOG.warnf("lease renewal failed: %s", e.getMessage()); // the next renewal tries again; writes stay fenced
        }
    }

    /** The lease this replica holds on the analysis, or null. */
    AnalysisStore.Lease held(String id) {
        return held.get(id);
    }

    /**
     * This replica's lease on the analysis: the one it holds, or a fresh claim. Null when another replica holds a live
     * lease (it runs the analysis) or the analysis has ended.
     */
    AnalysisStore.Lease lease(String id) {
        AnalysisStore.Lease lease = held.get(id);
        return lease != null ? lease : claim(id, true);
    }

    /**
     * The lease the analysis' verdict is written with: the one held (given up: the analysis ends), else a fresh claim
     * that is not kept. Null when another replica claimed the analysis.
     */
    AnalysisStore.Lease forVerdict(String id) {
        AnalysisStore.Lease lease = held.remove(id);
        return lease != null ? lease : claim(id, false);
    }

    private AnalysisStore.Lease claim(String id, boolean keep) {
        Instant now = clock.instant();
        AnalysisStore.Lease claimed = store.claim(id, holder, now.plus(config.leaseDuration()), now).orElse(null);
        if (claimed != null && keep) {
            held.put(id, claimed);
        }
        return claimed;
    }

    /** Gives the lease up in the store, so another replica may claim the analysis at once. */
    void release(String id) {
        if (held.remove(id) != null) {
            try {
                store.release(id, holder);
            } catch (RuntimeException e) {
                LOG.warnf("analysis=%s lease release failed (it expires): %s", id, e.getMessage());
            }
        }
    }

    /** Forgets the lease without a word to the store (the analysis ended, or the lease was lost). */
    void drop(String id) {
        held.remove(id);
    }

    /** A write refused because another replica claimed the analysis since this one's lease. */
    void fencedOff(String id, String what) {
        fenced.increment();
        held.remove(id);
        LOG.warnf("analysis=%s %s not written: another replica claimed the analysis (this one held its lease too long)",
                id, what);
    }
}
