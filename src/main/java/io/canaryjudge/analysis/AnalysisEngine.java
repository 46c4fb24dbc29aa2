package io.canaryjudge.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.DaemonThreads;
import io.canaryjudge.supplychain.Signatures;
import io.canaryjudge.verdict.AnalysisFinished;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.MeasurementCodec;
import io.canaryjudge.verdict.MeasurementDocument;
import io.canaryjudge.verdict.MeasurementRecord;
import io.canaryjudge.verdict.Migrations;
import io.canaryjudge.verdict.Phase;
import io.canaryjudge.verdict.VerdictPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Runs analyses: one timer thread holds every pending measurement (no thread per analysis) and hands due
 * ones to a small worker pool. Measurement i covers [startedAt, startedAt + i·interval] and is taken as soon
 * as that instant (plus the query delay) has passed, so windows in the past are analysed at once.
 *
 * <p>This class is the scheduler: timers, the sweep (resume, re-send), ownership, leases and what is in flight. Each
 * measurement is read, judged, decided and documented by the {@link MeasurementPipeline} that backtests use too; the
 * engine stores it (fenced by the lease), then continues, extends or ends the analysis ({@link AnalysisFinisher}).
 */
@ApplicationScoped
class AnalysisEngine {
    private static final Logger LOG = Logger.getLogger(AnalysisEngine.class);

    private final AnalysisStore store;
    private final MetricReader reader;
    private final AnalysisConfig config;
    private final ObjectMapper json;
    private final Clock clock;
    private final MeasurementPipeline pipeline;
    private final AtomicInteger pending = new AtomicInteger();
    /** Measurements that fell due and wait for a worker: above zero, this instance is behind (saturated). */
    private final BlockingQueue<Runnable> due = new LinkedBlockingQueue<>();
    private final Ownership ownership;
    /** The store's schema: nothing reads it before the migrations ran (a fresh database has no tables yet). */
    private final Migrations migrations;
    private final RunningAnalyses analyses;
    private final HeldLeases leases;
    private final AnalysisFinisher verdicts;
    private final LastMeasurement stored;
    /** Due instant (window end + query delay) to stored result, per measurement: "no measurement later than one interval". */
    private final Timer lateness;
    private ScheduledExecutorService timer;
    private ExecutorService workers;

    AnalysisEngine(AnalysisStore store, MetricReader reader, VerdictPublisher publisher, AnalysisConfig config,
                   ObjectMapper json, Clock clock, MeterRegistry registry, Event<AnalysisFinished> finished,
                   Ownership ownership, @Readiness Migrations migrations, Signatures signatures) {
        this.migrations = migrations;
        this.ownership = ownership;
        this.store = store;
        this.reader = reader;
        this.config = config;
        this.json = json;
        this.clock = clock;
        this.pipeline = new MeasurementPipeline(json, true, config.maxStoredValues());
        this.analyses = new RunningAnalyses(json);
        this.leases = new HeldLeases(store, config, clock, registry);
        this.stored = new LastMeasurement(store, json);
        this.verdicts = new AnalysisFinisher(store, signatures, publisher, finished, leases, ownership, json, clock);
        registry.gauge("canary.analysis.pending.measurements", pending);
        registry.gauge("canary.analysis.in.flight", analyses.local(), Set::size);
        registry.gauge("canary.analysis.queued.measurements", due, BlockingQueue::size);
        this.lateness = Timer.builder("canary.analysis.measurement.lateness")
                .description("Time from a measurement's due instant (window end plus query delay) to its stored result")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1)).register(registry);
    }

    void onStart(@Observes StartupEvent ev) {
        timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("canary-timer"));
        int size = Math.max(1, config.workers());
        workers = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, due,
                DaemonThreads.numbered("canary-worker"));
        // Resume what a previous run left: running analyses continue after their last stored measurement,
        // completed verdicts that were never acknowledged by Kafka are sent again (same CloudEvent id).
        // The sweep repeats: it also picks up analyses moved here by a rebalance or started by another replica.
        timer.execute(this::republish);
        timer.scheduleWithFixedDelay(this::sweep, 0, config.sweepInterval().toMillis(), TimeUnit.MILLISECONDS);
        long renewal = Math.max(1, config.leaseDuration().toMillis() / 3);
        timer.scheduleWithFixedDelay(leases::renew, renewal, renewal, TimeUnit.MILLISECONDS);
    }

    /** Stops running an analysis here and lets another replica claim it at once. */
    private void letGo(String id) {
        analyses.forget(id);
        leases.release(id);
    }

    /** A write refused because another replica claimed the analysis since this one's lease: stop running it. */
    private void fencedOff(String id, String what) {
        analyses.forget(id);
        leases.fencedOff(id, what);
    }

    void onOwnershipChanged(@Observes Ownership.Changed ev) {
        // analyses of partitions moved elsewhere: give their leases up now, so the new owner need not wait them out
        for (Map.Entry<String, RunningAnalyses.Run> r : analyses.runs().entrySet()) {
            if (!ownership.owns(r.getValue().record.key())) {
                letGo(r.getKey());
            }
        }
        if (timer != null) {
            timer.execute(this::sweep);
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        timer.shutdownNow();
        workers.shutdown();
    }

    private Duration initialDelay(AnalysisRecord a) {
        try {
            return analyses.of(a).template.initialDelay();
        } catch (JsonProcessingException e) {
            return Duration.ZERO; // the measurement reports the unreadable template
        }
    }

    private void republish() {
        if (!migrations.done()) {
            timer.schedule(this::republish, 1, TimeUnit.SECONDS);
            return;
        }
        try {
            verdicts.resendUnpublished(Instant.MAX);
        } catch (RuntimeException e) {
            LOG.errorf(e, "republish failed, retrying in %s", config.retryDelay());
            timer.schedule(this::republish, config.retryDelay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void sweep() {
        if (!migrations.done()) {
            return; // the next sweep looks again
        }
        try {
            workers.execute(ownership::checkBrokers); // asking an absent broker takes seconds: not on the timer thread
            // A verdict stored by a replica that died before Kafka acknowledged it, or refused while Kafka was down:
            // send it again (same CloudEvent id).
            verdicts.resendUnpublished(clock.instant().minus(Duration.ofSeconds(30)));
            for (AnalysisStore.RunningRef ref : store.runningRefs()) {
                if (ownership.owns(ref.key()) && !analyses.planned(ref.id())) {
                    Optional<AnalysisRecord> a = store.find(ref.id());
                    if (a.isPresent()) {
                        int next = store.measurementCount(ref.id()) + 1;
                        LOG.infof("analysis=%s resumed at step=%d", ref.id(), next);
                        schedule(a.get(), next);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "sweep failed: %s", e.getMessage());
        }
    }

    /**
     * An analysis ended outside the engine (cancelled, superseded): it no longer counts as in flight here, and its
     * CANCELLED end is published. Its planned measurement, when due, finds it ended and does nothing.
     */
    void released(String id) {
        analyses.forget(id);
        leases.drop(id);
        // its CANCELLED document goes out like a verdict (the sweep re-sends it if Kafka does not take it now)
        store.find(id).filter(a -> a.phase() == Phase.CANCELLED && a.verdictJson() != null)
                .ifPresent(verdicts::published);
    }

    /** Analyses with a measurement planned or running on this replica. */
    int inFlight() {
        return analyses.local().size();
    }

    /** Plans measurement {@code seq} of a running analysis. */
    void schedule(AnalysisRecord a, int seq) {
        Instant at = a.startedAt().plus(initialDelay(a)).plus(a.interval().multipliedBy(seq)).plus(config.queryDelay());
        schedule(a.id(), seq, at, Duration.between(clock.instant(), at));
    }

    private void schedule(String id, int seq, Instant at, Duration delay) {
        analyses.plan(id);
        pending.incrementAndGet();
        timer.schedule(() -> workers.execute(() -> {
            pending.decrementAndGet();
            take(id, seq, at);
        }), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** Takes measurement {@code seq} when it fell due, if the analysis still runs here; on a failure, retries it. */
    private void take(String id, int seq, Instant at) {
        try {
            RunningAnalyses.Run run = run(id);
            if (run == null) {
                return;
            }
            AnalysisStore.Progress progress = store.progress(id).orElse(null);
            if (progress == null || progress.phase().terminal() || !ownership.owns(run.record.key())) {
                letGo(id); // ended, or moved to another replica by a rebalance
                return;
            }
            if (leases.lease(id) == null) {
                analyses.forget(id); // another replica holds a live lease: it runs this analysis
                LOG.infof("analysis=%s runs on another replica (it holds the lease)", id);
                return;
            }
            AnalysisRecord a = run.withProgress(progress);
            if (!run.follows(seq) && finishFromStoredDecision(a, run)) {
                analyses.forget(id);
                return;
            }
            MeasurementPipeline.Carried previous = run.follows(seq) ? run.carried()
                    : stored.carried(id, run.template.sequentialMode());
            MeasurementPipeline.Measurement m = pipeline.take(new MeasurementPipeline.Look(run.template,
                    reader.source(), MetricReader.Scope.of(run.event), a.startedAt().plus(run.template.initialDelay()),
                    seq, a.measurementCount(), progress.extensions()), previous);
            conclude(run, a, progress.phase(), m, at);
        } catch (RuntimeException e) {
            LOG.errorf(e, "analysis=%s step=%d failed, retrying in %s", id, seq, config.retryDelay());
            schedule(id, seq, at, config.retryDelay());
        }
    }

    /**
     * The analysis' parsed run, or null when there is nothing to measure: it is gone, or its stored template or event
     * cannot be read (retrying cannot help: it is ended, once, with the reason and its verdict event).
     */
    private RunningAnalyses.Run run(String id) {
        RunningAnalyses.Run run = analyses.get(id);
        if (run != null) {
            return run;
        }
        AnalysisRecord stored = store.find(id).orElse(null);
        if (stored == null) {
            analyses.forget(id);
            return null;
        }
        try {
            return analyses.of(stored);
        } catch (JsonProcessingException | RuntimeException unreadable) {
            analyses.forget(id);
            verdicts.finishUnreadable(stored, unreadable);
            return null;
        }
    }

    /**
     * Both modes' tail: stores the measurement (fenced by the lease), records its lateness, remembers what it carries
     * for the next one, and continues, extends or ends the analysis as decided.
     */
    private void conclude(RunningAnalyses.Run run, AnalysisRecord a, Phase phase, MeasurementPipeline.Measurement m,
                          Instant at) {
        String id = a.id();
        int seq = m.look().seq();
        MeasurementDocument doc = pipeline.document(m);
        Instant now = clock.instant();
        AnalysisStore.Write write = store.addMeasurement(new MeasurementRecord(id, seq, m.windowStart(), m.windowEnd(),
                now, doc.verdict(), MeasurementPipeline.finite(m.score()), MeasurementCodec.write(json, doc)),
                leases.held(id));
        if (write == AnalysisStore.Write.FENCED) {
            fencedOff(id, "measurement " + seq);
            return;
        }
        lateness.record(Duration.between(at, now).isNegative() ? Duration.ZERO : Duration.between(at, now));
        // a measurement stored by another replica first wins: the next one reads that one's state back
        run.remember(write == AnalysisStore.Write.STORED ? seq : -1, m.carried());
        if (phase == Phase.PENDING) {
            store.markRunning(id, now);
        }
        if (LOG.isInfoEnabled()) { // one line per measurement: concatenated, not through a printf Formatter
            LOG.info("analysis=" + id + " step=" + seq + "/" + a.measurementCount() + (m.fixed() != null
                    ? " verdict=" + doc.verdict() + " score=" + m.score()
                    : " mode=sequential action=" + doc.action()) + " decision=" + m.kind());
        }
        switch (m.kind()) {
            case CONTINUE -> schedule(a, seq + 1);
            case EXTEND -> {
                store.extend(id, now);
                LOG.infof("analysis=%s extended reason=%s", id, m.reason());
                schedule(a, seq + 1);
            }
            case FINISH -> {
                analyses.forget(id);
                end(a, run, new AnalysisFinisher.Ending(m.phase(), m.finalVerdict(), m.score(), m.reason()),
                        doc.metrics(), now);
            }
        }
    }

    private void end(AnalysisRecord a, RunningAnalyses.Run run, AnalysisFinisher.Ending ending,
                     List<MeasurementDocument.Metric> metrics, Instant now) {
        if (!verdicts.finish(a, run.event, run.template, ending, metrics, now)) {
            fencedOff(a.id(), "verdict");
        }
    }

    /**
     * Ends the analysis with the final decision of its last stored measurement, if that is one (a service that stopped
     * between storing it and storing the verdict). Returns whether it did.
     */
    private boolean finishFromStoredDecision(AnalysisRecord a, RunningAnalyses.Run run) {
        LastMeasurement.Final last = stored.finalDecision(a.id()).orElse(null);
        if (last == null) {
            return false;
        }
        LOG.infof("analysis=%s resumed after its final measurement %d: finishing with its stored decision", a.id(),
                last.seq());
        end(a, run, last.ending(), last.metrics(), clock.instant());
        return true;
    }
}
