package io.canaryjudge.dora;

import io.canaryjudge.judge.Verdict;
import io.canaryjudge.DaemonThreads;
import io.canaryjudge.verdict.AnalysisFinished;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.CommitTimes;
import io.canaryjudge.verdict.Migrations;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Exports the verdict stream and the DORA four to Prometheus: {@code canary_verdicts_total} and
 * {@code canary_dora_lead_time_seconds} as each verdict arrives, and {@code canary_dora_*} gauges of all services
 * over the configured window, recomputed from the store every refresh period (never on the scrape thread).
 */
@ApplicationScoped
public class DoraMetrics {
    private static final Logger LOG = Logger.getLogger(DoraMetrics.class);

    private final DoraService dora;
    private final DoraConfig config;
    private final MeterRegistry registry;
    private final Clock clock;
    /** The store's schema: the first refresh waits for it (a fresh database has no tables yet). */
    private final Migrations migrations;
    private final AtomicReference<DoraFigures> latest = new AtomicReference<>();
    private ScheduledExecutorService timer;

    DoraMetrics(DoraService dora, DoraConfig config, MeterRegistry registry, Clock clock,
                @Readiness Migrations migrations) {
        this.dora = dora;
        this.migrations = migrations;
        this.config = config;
        this.registry = registry;
        this.clock = clock;
        gauge("canary.dora.deployments.per.day", null, "promoted deployments per day over the window",
                DoraFigures::deploymentsPerDay);
        gauge("canary.dora.change.failure.rate", null, "ABORTed or rolled-back deployments / all judged deployments",
                f -> orNaN(f.changeFailureRate()));
        gauge("canary.dora.lead.time.median", "seconds", "median commit-to-PROMOTE time over the window",
                f -> orNaN(f.leadTime().medianSeconds()));
        gauge("canary.dora.time.to.restore.median", "seconds", "median ABORT-to-restore time over the window",
                f -> orNaN(f.timeToRestore().medianSeconds()));
    }

    void onStart(@Observes StartupEvent ev) {
        timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("canary-dora-metrics"));
        timer.scheduleWithFixedDelay(this::refresh, 0, config.refresh().toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    void onVerdict(@Observes AnalysisFinished finished) {
        AnalysisRecord a = finished.analysis();
        if (a.verdict() == null) {
            return;
        }
        registry.counter("canary.verdicts", "namespace", a.namespace(), "service", a.service(), "verdict",
                a.verdict().name())
                .increment();
        Instant commit = CommitTimes.fromEventJson(a.eventJson());
        if (a.verdict() == Verdict.PROMOTE && commit != null && a.completedAt() != null) {
            Timer.builder("canary.dora.lead.time").description("commit to PROMOTE verdict, per promoted deployment")
                    .tags("namespace", a.namespace(), "service", a.service()).register(registry)
                    .record(Duration.between(commit, a.completedAt()));
        }
    }

    /** Recomputes the gauges now (also used by tests that cannot wait for the refresh period). */
    void refresh() {
        if (!migrations.done()) {
            if (timer != null) {
                timer.schedule(this::refresh, 1, TimeUnit.SECONDS); // not the whole period: the schema is seconds away
            }
            return;
        }
        try {
            Instant until = clock.instant();
            latest.set(dora.report(null, null, until.minus(config.window()), until).overall());
        } catch (DoraService.TooManyDeployments e) {
            latest.set(null); // NaN rather than stale figures
            LOG.warnf("dora metrics not computed: %s (CANARY_DORA_WINDOW / CANARY_DORA_MAX_DEPLOYMENTS)", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf("dora metrics refresh failed error=%s", e.toString());
        }
    }

    private void gauge(String name, String unit, String description, ToDoubleFunction<DoraFigures> value) {
        Gauge.builder(name, latest, ref -> ref.get() == null ? Double.NaN : value.applyAsDouble(ref.get()))
                .description(description).baseUnit(unit).register(registry);
    }

    private static double orNaN(Double d) {
        return d == null ? Double.NaN : d;
    }
}
