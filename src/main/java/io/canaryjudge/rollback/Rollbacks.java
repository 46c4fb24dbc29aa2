package io.canaryjudge.rollback;

import io.canaryjudge.judge.Verdict;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.event.DeploymentEvent;
import io.canaryjudge.event.TargetKind;
import io.canaryjudge.supplychain.SignatureCheck;
import io.canaryjudge.supplychain.SignatureMode;
import io.canaryjudge.template.RollbackPolicy;
import io.canaryjudge.verdict.AnalysisRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The rollback of ABORT verdicts, exactly once: claim (conditional insert, or takeover of an expired claim), run
 * the strategy of the event's target kind behind the safety checks, store the outcome (conditional on still
 * holding the claim), announce it. Framework-free so that races and restarts can be tested directly.
 */
final class Rollbacks {
    private static final Logger LOG = Logger.getLogger(Rollbacks.class);
    /** Renews the claims of rollbacks in progress: one small daemon thread for the process. */
    private static final java.util.concurrent.ScheduledExecutorService RENEWALS =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    io.canaryjudge.DaemonThreads.named("canary-rollback-claims"));

    private final RollbackConfig config;
    private final RollbackStore store;
    private final Map<TargetKind, Strategy> strategies;
    private final Announcer announcer;
    private final Function<String, Optional<AnalysisRecord>> analyses;
    private final ObjectMapper json;
    private final Clock clock;
    private final String holder;
    private final Retry retry;
    private final StableSignatures signatures;

    /** The signature check of the stable digest a rollback is about to write. */
    @FunctionalInterface
    interface StableSignatures {
        SignatureCheck check(String namespace, String repository, String digest);

        /** No policy: every digest may be written (the tests of everything but signatures). */
        StableSignatures UNCHECKED = (ns, repository, digest) -> new SignatureCheck(SignatureCheck.Purpose.ROLLBACK,
                SignatureMode.OFF, null, SignatureCheck.NOT_CHECKED, true, null, null, "signatures are not checked");
    }

    Rollbacks(RollbackConfig config, RollbackStore store, List<Strategy> strategies, Announcer announcer,
              Function<String, Optional<AnalysisRecord>> analyses, ObjectMapper json, Clock clock, String holder) {
        this(config, store, strategies, announcer, analyses, json, clock, holder, StableSignatures.UNCHECKED);
    }

    Rollbacks(RollbackConfig config, RollbackStore store, List<Strategy> strategies, Announcer announcer,
              Function<String, Optional<AnalysisRecord>> analyses, ObjectMapper json, Clock clock, String holder,
              StableSignatures signatures) {
        this.signatures = signatures;
        this.config = config;
        this.store = store;
        this.strategies = strategies.stream().collect(Collectors.toUnmodifiableMap(Strategy::kind, s -> s));
        this.announcer = announcer;
        this.analyses = analyses;
        this.json = json;
        this.clock = clock;
        this.holder = holder;
        this.retry = new Retry(config.retries(), config.backoff());
    }

    /**
     * What the template (or else the service default) says an ABORT of this analysis does. {@code unreadable} says
     * why the template stored with the analysis could not be read: its policy is then unknown — the service default
     * is not a safe guess (the template may have turned rollbacks off) — and the rollback is refused with that reason.
     */
    record Policy(boolean enabled, boolean dryRun, String unreadable) {
    }

    Policy policy(AnalysisRecord a) {
        if (a.templateJson() == null) {
            return new Policy(config.enabled(), config.dryRun(), null);
        }
        RollbackPolicy p;
        try {
            JsonNode section = json.readTree(a.templateJson()).path("rollback");
            p = section.isMissingNode() || section.isNull() ? null : json.treeToValue(section, RollbackPolicy.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String why = "the template stored with the analysis cannot be read ("
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")";
            LOG.errorf("analysis=%s rollback=unreadable-template error=%s", a.id(), why);
            return new Policy(true, false, why);
        }
        return new Policy(p == null || p.enabled() == null ? config.enabled() : p.enabled(),
                p == null || p.dryRun() == null ? config.dryRun() : p.dryRun(), null);
    }

    boolean wanted(AnalysisRecord a) {
        return a.verdict() == Verdict.ABORT && policy(a).enabled();
    }

    /** Rolls the analysis back unless another run has or had it; returns the stored outcome of this run. */
    Optional<RollbackStatus> rollBack(AnalysisRecord a) {
        if (!wanted(a)) {
            return Optional.empty();
        }
        Policy policy = policy(a);
        DeploymentEvent event = event(a);
        String kind = event == null || event.target() == null ? "unknown" : event.target().kind();
        Instant now = clock.instant();
        boolean mine = store.claim(a.id(), kind, policy.dryRun(), holder, now, a.completedAt())
                || store.takeOver(a.id(), holder, now, now.minus(config.lease()));
        if (!mine) {
            LOG.debugf("analysis=%s rollback=skipped reason=claimed-by-another-run", a.id());
            return Optional.empty();
        }
        LOG.infof("analysis=%s service=%s rollback=CLAIMED strategy=%s dryRun=%s holder=%s", a.id(), a.key(), kind,
                policy.dryRun(), holder);
        return runClaimed(a, event, policy, kind);
    }

    /**
     * Executes a claimed rollback, stores its outcome if the claim still holds, and announces it. While the strategy
     * runs (a GitOps push can be slow), the claim is renewed every third of the lease, so that no other replica takes
     * it over and writes a second time.
     */
    private Optional<RollbackStatus> runClaimed(AnalysisRecord a, DeploymentEvent event, Policy policy, String kind) {
        long period = Math.max(100, config.lease().toMillis() / 3);
        java.util.concurrent.ScheduledFuture<?> renewal = RENEWALS.scheduleWithFixedDelay(() -> {
            try {
                if (!store.renew(a.id(), holder, clock.instant())) {
                    LOG.warnf("analysis=%s rollback=claim-lost-while-running holder=%s", a.id(), holder);
                }
            } catch (RuntimeException e) {
                LOG.warnf("analysis=%s rollback claim renewal failed: %s", a.id(), e.getMessage());
            }
        }, period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
        RollbackOutcome outcome;
        try {
            outcome = execute(a, event, policy);
        } finally {
            renewal.cancel(false);
        }
        if (!store.finish(a.id(), holder, outcome, clock.instant())) {
            // our lease expired and another replica took over; its outcome is the one that counts
            LOG.warnf("analysis=%s rollback=lost-claim holder=%s", a.id(), holder);
            return Optional.empty();
        }
        RollbackStatus status = store.find(a.id()).orElseThrow();
        LOG.infof("analysis=%s service=%s rollback=%s strategy=%s reason=\"%s\" timeToRestore=%s", a.id(), a.key(),
                status.state(), kind, status.reason(), status.timeToRestore().map(Object::toString).orElse("-"));
        announcer.announce(a, status);
        return Optional.of(status);
    }

    /**
     * What a crash, a restart, a failure or a lost publication left undone: unclaimed or expired ABORTs (manual ones
     * included), FAILED rollbacks due for another attempt, unannounced outcomes.
     */
    void recover() {
        Instant now = clock.instant();
        for (String id : store.unfinished(now.minus(config.recoveryWindow()), now.minus(config.lease()))) {
            analyses.apply(id).ifPresent(this::rollBack);
        }
        for (RollbackStatus s : store.failed(now.minus(config.recoveryWindow()))) {
            if (s.finishedAt() != null && !now.isBefore(s.finishedAt().plus(backoff(s.attempts())))) {
                analyses.apply(s.analysisId()).ifPresent(a -> retryFailed(a, s));
            }
        }
        for (RollbackStatus s : store.unpublished()) {
            analyses.apply(s.analysisId()).ifPresent(a -> announcer.announce(a, s));
        }
    }

    /** The wait before attempt n + 1 after n failed attempts: the backoff doubled per attempt, at most 10 minutes. */
    Duration backoff(int attempts) {
        Duration d = config.failedRetryBackoff().multipliedBy(1L << Math.min(20, Math.max(0, attempts - 1)));
        Duration cap = Duration.ofMinutes(10);
        return d.compareTo(cap) > 0 ? cap : d;
    }

    private void retryFailed(AnalysisRecord a, RollbackStatus failed) {
        if (!wanted(a) || !store.retry(a.id(), holder, clock.instant(), failed.attempts())) {
            return;
        }
        Policy policy = policy(a);
        DeploymentEvent event = event(a);
        LOG.infof("analysis=%s service=%s rollback=RETRY attempt=%d after=\"%s\"", a.id(), a.key(),
                failed.attempts() + 1, failed.reason());
        runClaimed(a, event, policy, failed.strategy());
    }

    Optional<RollbackStatus> find(String analysisId) {
        return store.find(analysisId);
    }

    private RollbackOutcome execute(AnalysisRecord a, DeploymentEvent event, Policy policy) {
        if (policy.unreadable() != null) {
            return RollbackOutcome.refused(policy.unreadable() + ": whether and how its ABORT rolls back is unknown, "
                    + "so nothing was rolled back");
        }
        if (event == null || event.target() == null) {
            return RollbackOutcome.refused("the event names no target to roll back");
        }
        if (!Images.isDigest(event.stable().digest()) || !Images.isDigest(event.canary().digest())) {
            return RollbackOutcome.refused("canary and stable must be sha256 digests: digests only, never tags");
        }
        if (!namespaceAllowed(a.namespace())) {
            return RollbackOutcome.refused("namespace " + a.namespace() + " is not allowed to be rolled back "
                    + "(canary.rollback.namespaces: " + config.namespaces().map(Object::toString).orElse("none") + ")");
        }
        Strategy strategy = TargetKind.fromWire(event.target().kind()).map(strategies::get).orElse(null);
        if (strategy == null) {
            return RollbackOutcome.refused("no rollback for target kind " + event.target().kind());
        }
        // only a digest signed by an accepted key is written back, whatever the target kind
        SignatureCheck signature = signatures.check(a.namespace(), event.image(), event.stable().digest());
        if (!signature.allowed()) {
            String why = "the stable digest " + event.stable().digest() + " is not written back: its image signature "
                    + "was not verified (" + signature.reason() + ")";
            // a registry that did not answer is asked again (FAILED rollbacks are retried); a definite no is final
            return signature.couldNotCheck() ? RollbackOutcome.failed(why) : RollbackOutcome.refused(why);
        }
        RollbackRequest request = new RollbackRequest(a.id(), a.namespace(), a.service(), a.environment(),
                event.target(), event.canary().digest(), event.stable().digest(), policy.dryRun(), verdictUrl(a.id()));
        try {
            RollbackOutcome done = strategy instanceof GitOpsRollback
                    ? strategy.rollBack(request)   // retries each fetch/push itself; a rerun would repeat them
                    : retry.call(request.workload() + " rollback", () -> strategy.rollBack(request));
            return signature.mode() == SignatureMode.WARN && !signature.verified()
                    ? done.withWarning("stable digest signature not verified: " + signature.reason())
                    : done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RollbackOutcome.failed(request.workload() + ": interrupted");
        } catch (Exception e) {
            return RollbackOutcome.failed(request.workload() + ": " + e.getMessage());
        }
    }

    boolean namespaceAllowed(String namespace) {
        List<String> allowed = config.namespaces().orElse(List.of());
        return allowed.contains("*") || allowed.contains(namespace);
    }

    String verdictUrl(String analysisId) {
        return config.verdictBaseUrl().map(b -> b.replaceAll("/+$", "") + "/api/v1/analyses/" + analysisId).orElse(null);
    }

    private DeploymentEvent event(AnalysisRecord a) {
        try {
            return json.readValue(a.eventJson(), DeploymentEvent.class);
        } catch (Exception e) {
            LOG.warnf("analysis=%s rollback=unreadable-event error=%s", a.id(), e.getMessage());
            return null;
        }
    }
}
