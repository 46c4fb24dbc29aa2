package io.canaryjudge.rollback;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.DaemonThreads;
import io.canaryjudge.event.TargetKind;
import io.canaryjudge.supplychain.SignatureCheck;
import io.canaryjudge.supplychain.Signatures;
import io.canaryjudge.verdict.AnalysisFinished;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.Migrations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.time.Clock;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Facade of the rollback feature: an ABORT verdict puts the stable digest back — a Deployment's image, an Argo
 * Rollout's template, or a GitOps commit — exactly once across re-deliveries, restarts and replicas. The verdict
 * event only hands the work to a small pool; a periodic recovery scan (also right at startup) finishes what a
 * crash left. Off unless enabled (service-wide or per template) and allowed for the namespace.
 */
@ApplicationScoped
public class RollbackService {
    private static final Logger LOG = Logger.getLogger(RollbackService.class);

    private final RollbackConfig config;
    private final Rollbacks rollbacks;
    private final Instance<KubernetesClient> kubernetes;
    private ExecutorService workers;
    private ScheduledExecutorService recovery;
    /** The store's schema: the recovery scan waits for it (a fresh database has no tables yet). */
    private final Migrations migrations;

    RollbackService(RollbackConfig config, RollbackStore store, RollbackPublisher publisher, AnalysisStore analyses,
                    Instance<KubernetesClient> kubernetes, @Any Instance<Strategy> strategies, ObjectMapper json,
                    Clock clock, @Readiness Migrations migrations, Signatures signatures) {
        this.config = config;
        this.migrations = migrations;
        this.kubernetes = kubernetes;
        String holder = System.getenv().getOrDefault("HOSTNAME", "canary-judge") + "-" + UUID.randomUUID().toString()
                .substring(0, 8);
        this.rollbacks = new Rollbacks(config, store, List.copyOf(oneForEachKind(strategies.stream().toList()).values()),
                publisher, analyses::find, json, clock, holder, (namespace, repository, digest) ->
                        signatures.check(namespace, repository, digest, SignatureCheck.Purpose.ROLLBACK));
    }

    /**
     * The strategies by the kind they serve. A kind without a strategy, or with two, is a fault of the build, not of
     * an event: it stops the service at start-up rather than refusing rollbacks of that kind later.
     */
    static Map<TargetKind, Strategy> oneForEachKind(List<Strategy> strategies) {
        Map<TargetKind, Strategy> byKind = new EnumMap<>(TargetKind.class);
        for (Strategy s : strategies) {
            Strategy other = byKind.putIfAbsent(s.kind(), s);
            if (other != null) {
                throw new IllegalStateException("two rollback strategies for target kind " + s.kind().wireName() + ": "
                        + other.getClass().getSimpleName() + " and " + s.getClass().getSimpleName());
            }
        }
        List<String> missing = Arrays.stream(TargetKind.values()).filter(k -> !byKind.containsKey(k))
                .map(TargetKind::wireName).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("no rollback strategy for target kind(s) " + missing);
        }
        return byKind;
    }

    void onStart(@Observes StartupEvent ev) {
        workers = Executors.newFixedThreadPool(Math.max(1, config.threads()), DaemonThreads.numbered("canary-rollback"));
        recovery = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("canary-rollback-recovery"));
        recovery.scheduleWithFixedDelay(this::recover, 0, config.recoveryInterval().toMillis(), TimeUnit.MILLISECONDS);
        if (config.enabled()) {
            workers.execute(this::warmUp);
        }
    }

    /**
     * With rollbacks on, the first one should not pay for building the Kubernetes client and loading its model
     * and JSON classes (the first rollback's cost, in BENCHMARKS.md's rollback latency): do it once in the background
     * at start.
     * No request is sent, so nothing reaches for a cluster.
     */
    private void warmUp() {
        try {
            KubernetesClient client = kubernetes.get();
            var json = client.getKubernetesSerialization();
            json.unmarshal("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"warm-up\"},"
                    + "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"x\"}]}}}}",
                    io.fabric8.kubernetes.api.model.apps.Deployment.class);
            json.unmarshal("{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSetList\",\"items\":[]}",
                    io.fabric8.kubernetes.api.model.apps.ReplicaSetList.class);
            client.apps().deployments().inNamespace("warm-up").withName("warm-up");
        } catch (RuntimeException e) {
            LOG.debugf("rollback warm-up skipped: %s", e.toString());
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (recovery != null) {
            recovery.shutdownNow();
            workers.shutdown();
        }
    }

    void onFinished(@Observes AnalysisFinished finished) {
        if (workers != null && rollbacks.wanted(finished.analysis())) {
            workers.execute(() -> run(finished));
        }
    }

    /** The stored rollback of an analysis, if it had one. */
    public Optional<RollbackStatus> find(String analysisId) {
        return rollbacks.find(analysisId);
    }

    private void run(AnalysisFinished finished) {
        try {
            rollbacks.rollBack(finished.analysis());
        } catch (RuntimeException e) {
            // the claim stays; the recovery scan takes it over once its lease has expired
            LOG.errorf(e, "analysis=%s rollback=error", finished.analysis().id());
        }
    }

    private void recover() {
        if (!migrations.done()) {
            recovery.schedule(this::recover, 1, TimeUnit.SECONDS);
            return;
        }
        try {
            rollbacks.recover();
        } catch (RuntimeException e) {
            LOG.errorf(e, "rollback recovery scan failed, next in %s", config.recoveryInterval());
        }
    }
}
