package io.canaryjudge.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.canaryjudge.DaemonThreads;
import io.canaryjudge.event.DeploymentEvent;
import io.canaryjudge.judge.MetricResult;
import io.canaryjudge.judge.ScoreResult;
import io.canaryjudge.supplychain.SignatureCheck;
import io.canaryjudge.supplychain.SignatureMode;
import io.canaryjudge.supplychain.Signatures;
import io.canaryjudge.template.AnalysisTemplate;
import io.canaryjudge.template.Durations;
import io.canaryjudge.template.MetricTemplate;
import io.canaryjudge.verdict.AnalysisFinished;
import io.canaryjudge.verdict.AnalysisRecord;
import io.canaryjudge.verdict.AnalysisStore;
import io.canaryjudge.verdict.MeasurementRecord;
import io.canaryjudge.verdict.Migrations;
import io.canaryjudge.verdict.Phase;
import io.canaryjudge.verdict.VerdictCodec;
import io.canaryjudge.verdict.VerdictDocument;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
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
 */
@ApplicationScoped
class AnalysisEngine {
    private static final Logger LOG = Logger.getLogger(AnalysisEngine.class);

    private final AnalysisStore store;
    private final MetricReader reader;
    private final Signatures signatures;
    private final VerdictPublisher publisher;
    private final AnalysisConfig config;
    private final ObjectMapper json;
    /**
     * Writes the stored measurement documents in ASCII (α, ≥ escaped): their Java strings stay one byte per character
     * (half the memory and copying of a two-byte string) on their way to the store; readers parse them, so nothing
     * else changes.
     */
    private final ObjectWriter documents;
    private final Clock clock;
    private final Judging judging;
    private final Event<AnalysisFinished> finished;
    private final AtomicInteger pending = new AtomicInteger();
    /** Measurements that fell due and wait for a worker: above zero, this instance is behind (saturated). */
    private final BlockingQueue<Runnable> due = new LinkedBlockingQueue<>();
    private final Ownership ownership;
    /** The store's schema: nothing reads it before the migrations ran (a fresh database has no tables yet). */
    private final Migrations migrations;
    /** Analyses with a measurement planned or running here; the sweep resumes owned ones that are not. */
    private final Set<String> local = ConcurrentHashMap.newKeySet();
    /** Per analysis running here: its parsed event and template and the state its last measurement here stored. */
    private final Map<String, Running> runs = new ConcurrentHashMap<>();
    /**
     * The store leases this replica holds, per analysis it runs: claimed at its first measurement here, renewed by the
     * timer, named by every measurement and verdict written (fencing: a replica whose lease was taken over writes
     * nothing).
     */
    private final Map<String, AnalysisStore.Lease> leases = new ConcurrentHashMap<>();
    /**
     * This replica, as a lease holder: its pod name. A restarted container of the same pod takes its leases back at
     * once (the old process is gone); another pod waits until they expire.
     */
    private final String holder = holder();
    private final io.micrometer.core.instrument.Counter fenced;
    /** Parsed templates by their stored JSON: the analyses of one template share one parsed copy. */
    private final Map<String, AnalysisTemplate> compiled = new ConcurrentHashMap<>();
    /** Due instant (window end + query delay) to stored result, per measurement: "no measurement later than one interval". */
    private final Timer lateness;
    private ScheduledExecutorService timer;
    private ExecutorService workers;

    AnalysisEngine(AnalysisStore store, MetricReader reader, VerdictPublisher publisher, AnalysisConfig config,
                   ObjectMapper json, Clock clock, MeterRegistry registry, Event<AnalysisFinished> finished,
                   Ownership ownership, @Readiness Migrations migrations, Signatures signatures) {
        this.migrations = migrations;
        this.signatures = signatures;
        this.finished = finished;
        this.ownership = ownership;
        this.store = store;
        this.reader = reader;
        this.publisher = publisher;
        this.config = config;
        this.json = json;
        this.documents = json.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);
        this.clock = clock;
        this.judging = new Judging(json);
        registry.gauge("canary.analysis.pending.measurements", pending);
        registry.gauge("canary.analysis.in.flight", local, Set::size);
        registry.gauge("canary.analysis.queued.measurements", due, BlockingQueue::size);
        this.fenced = io.micrometer.core.instrument.Counter.builder("canary.analysis.fenced.writes")
                .description("Measurements and verdicts not written because another replica had claimed the analysis "
                        + "(this replica paused longer than its lease)").register(registry);
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
        timer.scheduleWithFixedDelay(this::renewLeases, renewal, renewal, TimeUnit.MILLISECONDS);
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
    private void renewLeases() {
        try {
            store.renew(holder, List.copyOf(leases.keySet()), clock.instant().plus(config.leaseDuration()));
        } catch (RuntimeException e) {
            LOG.warnf("lease renewal failed: %s", e.getMessage()); // the next renewal tries again; writes stay fenced
        }
    }

    /**
     * This replica's lease on the analysis: the one it holds, or a fresh claim. Null when another replica holds a live
     * lease (it runs the analysis) or the analysis has ended.
     */
    private AnalysisStore.Lease lease(String id) {
        AnalysisStore.Lease held = leases.get(id);
        if (held != null) {
            return held;
        }
        Instant now = clock.instant();
        AnalysisStore.Lease claimed = store.claim(id, holder, now.plus(config.leaseDuration()), now).orElse(null);
        if (claimed != null) {
            leases.put(id, claimed);
        }
        return claimed;
    }

    /** Stops running an analysis here and lets another replica claim it at once. */
    private void letGo(String id) {
        forget(id);
        if (leases.remove(id) != null) {
            try {
                store.release(id, holder);
            } catch (RuntimeException e) {
                LOG.warnf("analysis=%s lease release failed (it expires): %s", id, e.getMessage());
            }
        }
    }

    /** A write refused because another replica claimed the analysis since this one's lease: stop running it. */
    private void fencedOff(String id, String what) {
        fenced.increment();
        forget(id);
        leases.remove(id);
        LOG.warnf("analysis=%s %s not written: another replica claimed the analysis (this one held its lease too long)",
                id, what);
    }

    void onOwnershipChanged(@Observes Ownership.Changed ev) {
        // analyses of partitions moved elsewhere: give their leases up now, so the new owner need not wait them out
        for (Map.Entry<String, Running> r : runs.entrySet()) {
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

    /**
     * What a measurement needs besides the store's mutable columns, parsed once per analysis instead of once per
     * measurement: the stored record without its event and template text, the event, the template, and the state the
     * previous measurement taken here stored (so the next one need not read and parse it back).
     */
    private static final class Running {
        final AnalysisRecord record;
        final DeploymentEvent event;
        final AnalysisTemplate template;
        volatile int lastSeq;
        volatile Map<String, SequentialStep.MetricState> states = Map.of();
        volatile Map<String, Lifecycle.Counters> counters = Map.of();

        Running(AnalysisRecord record, DeploymentEvent event, AnalysisTemplate template) {
            this.record = record;
            this.event = event;
            this.template = template;
        }

        void remember(int seq, Map<String, SequentialStep.MetricState> states, Map<String, Lifecycle.Counters> counters) {
            this.states = states;
            this.counters = counters;
            this.lastSeq = seq;
        }
    }

    private Running running(AnalysisRecord a) throws JsonProcessingException {
        Running r = runs.get(a.id());
        if (r != null) {
            return r;
        }
        AnalysisTemplate t = compiled.get(a.templateJson());
        if (t == null) {
            t = json.readValue(a.templateJson(), AnalysisTemplate.class);
            if (compiled.size() >= 256) {
                compiled.clear(); // templates edited many times: keep the cache bounded
            }
            compiled.put(a.templateJson(), t);
        }
        r = new Running(new AnalysisRecord(a.id(), a.eventId(), a.deploymentId(), a.namespace(), a.service(),
                a.environment(), a.template(), a.canaryDigest(), a.stableDigest(), null, null, a.startedAt(), a.interval(),
                a.measurementCount(), a.phase(), a.verdict(), a.score(), a.reason(), null, a.createdAt(), a.updatedAt(),
                a.completedAt(), a.publishedAt()), json.readValue(a.eventJson(), DeploymentEvent.class), t);
        runs.put(a.id(), r);
        return r;
    }

    private void forget(String id) {
        local.remove(id);
        runs.remove(id);
    }

    private Duration initialDelay(AnalysisRecord a) {
        try {
            return running(a).template.initialDelay();
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
            resendUnpublished(Instant.MAX);
        } catch (RuntimeException e) {
            LOG.errorf(e, "republish failed, retrying in %s", config.retryDelay());
            timer.schedule(this::republish, config.retryDelay().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Hands the unpublished verdicts of analyses this replica owns that completed before {@code before} to the
     * publisher, oldest first; it sends them within its bounded window, never one that is pending already.
     */
    private void resendUnpublished(Instant before) {
        List<AnalysisRecord> unpublished = store.unpublished();
        List<AnalysisRecord> due = new ArrayList<>();
        for (AnalysisRecord a : unpublished) {
            if (a.completedAt() != null && a.completedAt().isBefore(before) && ownership.owns(a.key())) {
                due.add(a);
            }
        }
        publisher.resend(due, unpublished.size());
    }

    private void sweep() {
        if (!migrations.done()) {
            return; // the next sweep looks again
        }
        try {
            workers.execute(ownership::checkBrokers); // asking an absent broker takes seconds: not on the timer thread
            // A verdict stored by a replica that died before Kafka acknowledged it, or refused while Kafka was down:
            // send it again (same CloudEvent id).
            resendUnpublished(clock.instant().minus(Duration.ofSeconds(30)));
            for (AnalysisStore.RunningRef ref : store.runningRefs()) {
                if (ownership.owns(ref.key()) && !local.contains(ref.id())) {
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
        forget(id);
        leases.remove(id);
        // its CANCELLED document goes out like a verdict (the sweep re-sends it if Kafka does not take it now)
        store.find(id).filter(a -> a.phase() == Phase.CANCELLED && a.verdictJson() != null).ifPresent(done -> {
            publisher.publish(done);
            finished.fire(new AnalysisFinished(done));
        });
    }

    /** Analyses with a measurement planned or running on this replica. */
    int inFlight() {
        return local.size();
    }

    /** Plans measurement {@code seq} of a running analysis. */
    void schedule(AnalysisRecord a, int seq) {
        Instant due = a.startedAt().plus(initialDelay(a)).plus(a.interval().multipliedBy(seq)).plus(config.queryDelay());
        schedule(a.id(), seq, due, Duration.between(clock.instant(), due));
    }

    private void schedule(String id, int seq, Instant due, Duration delay) {
        local.add(id);
        pending.incrementAndGet();
        timer.schedule(() -> workers.execute(() -> {
            pending.decrementAndGet();
            take(id, seq, due);
        }), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private void recordLateness(Instant due, Instant storedAt) {
        lateness.record(Duration.between(due, storedAt).isNegative() ? Duration.ZERO : Duration.between(due, storedAt));
    }

    private void take(String id, int seq, Instant due) {
        try {
            Running run = runs.get(id);
            if (run == null) {
                AnalysisRecord stored = store.find(id).orElse(null);
                if (stored == null) {
                    forget(id);
                    return;
                }
                try {
                    run = running(stored);
                } catch (JsonProcessingException | RuntimeException unreadable) {
                    // retrying cannot help: end it, once, with the reason (and its verdict event)
                    forget(id);
                    finishUnreadable(stored, unreadable);
                    return;
                }
            }
            AnalysisStore.Progress progress = store.progress(id).orElse(null);
            if (progress == null || progress.phase().terminal() || !ownership.owns(run.record.key())) {
                letGo(id); // ended, or moved to another replica by a rebalance
                return;
            }
            if (lease(id) == null) {
                forget(id); // another replica holds a live lease: it runs this analysis
                LOG.infof("analysis=%s runs on another replica (it holds the lease)", id);
                return;
            }
            AnalysisRecord a = withProgress(run.record, progress);
            DeploymentEvent event = run.event;
            AnalysisTemplate template = run.template;
            if (run.lastSeq != seq - 1 && finishFromStoredDecision(a, event, template)) {
                forget(id);
                return;
            }
            if (template.sequentialMode()) {
                takeSequential(run, a, progress, seq, due);
                return;
            }
            Instant windowStart = a.startedAt().plus(template.initialDelay());
            Instant windowEnd = windowStart.plus(a.interval().multipliedBy(seq));
            List<MetricResult> judged = new ArrayList<>();
            ArrayNode metricsJson = json.createArrayNode();
            for (MetricTemplate m : template.metrics()) {
                Observation o = reader.read(template, m, event, windowStart, windowEnd);
                MetricResult r = judging.judge(Judging.spec(m), Judging.applyNanPolicy(m, o));
                judged.add(r);
                metricsJson.add(metricJson(m, o, r));
            }
            Map<String, Lifecycle.Counters> previous = run.lastSeq == seq - 1 ? run.counters : previousCounters(id);
            Lifecycle.Decision d = Lifecycle.step(template, previous, judged, seq, a.measurementCount(),
                    progress.extensions());
            ScoreResult score = d.score();
            String verdict = d.kind() == Lifecycle.Decision.Kind.FINISH ? d.verdict().name() : score.verdict().name();
            ObjectNode result = json.createObjectNode();
            result.put("seq", seq);
            result.put("windowStart", windowStart.toString());
            result.put("windowEnd", windowEnd.toString());
            result.put("step", Durations.format(template.step()));
            result.put("verdict", verdict);
            Judging.number(result, "score", score.score());
            result.put("reason", d.reason() == null ? score.reason() : d.reason());
            result.put("decision", d.kind().name());
            if (d.kind() == Lifecycle.Decision.Kind.FINISH) {
                result.put("phase", d.phase().name()); // a restart finishes from this document, not a new measurement
            }
            result.set("metrics", metricsJson);
            result.set("groupScores", json.valueToTree(score.groupScores()));
            result.set("counters", json.valueToTree(d.counters()));
            Instant now = clock.instant();
            AnalysisStore.Write write = store.addMeasurement(new MeasurementRecord(id, seq, windowStart, windowEnd, now,
                    verdict, finite(score.score()), documents.writeValueAsString(result)), leases.get(id));
            if (write == AnalysisStore.Write.FENCED) {
                fencedOff(id, "measurement " + seq);
                return;
            }
            boolean stored = write == AnalysisStore.Write.STORED;
            recordLateness(due, now);
            // a measurement stored by another replica first wins: the next one reads that one's state back
            run.remember(stored ? seq : -1, Map.of(), d.counters());
            if (progress.phase() == Phase.PENDING) {
                store.markRunning(id, now);
            }
            if (LOG.isInfoEnabled()) {
                LOG.info("analysis=" + id + " step=" + seq + "/" + a.measurementCount() + " verdict=" + verdict
                        + " score=" + score.score() + " decision=" + d.kind());
            }
            switch (d.kind()) {
                case CONTINUE -> schedule(a, seq + 1);
                case EXTEND -> {
                    store.extend(id, now);
                    LOG.infof("analysis=%s extended reason=%s", id, d.reason());
                    schedule(a, seq + 1);
                }
                case FINISH -> {
                    forget(id);
                    finish(a, event, template, d.phase(), d.verdict(), score.score(), d.reason(), metricsJson, now);
                }
            }
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.errorf(e, "analysis=%s step=%d failed, retrying in %s", id, seq, config.retryDelay());
            schedule(id, seq, due, config.retryDelay());
        }
    }

    /**
     * Sequential mode (ADR 0004): measurement {@code seq} reads only the new interval
     * (start + (seq−1)·interval, start + seq·interval] — query_range points from one step after the interval's
     * start, so consecutive intervals share no point — and feeds it to each metric's e-processes, restored from
     * the previous measurement's stored state.
     */
    private void takeSequential(Running run, AnalysisRecord a, AnalysisStore.Progress progress, int seq, Instant due)
            throws JsonProcessingException {
        String id = a.id();
        DeploymentEvent event = run.event;
        AnalysisTemplate template = run.template;
        Instant windowStart = a.startedAt().plus(template.initialDelay());
        Instant intervalStart = windowStart.plus(a.interval().multipliedBy(seq - 1L));
        Instant intervalEnd = windowStart.plus(a.interval().multipliedBy(seq));
        List<Observation> observations = new ArrayList<>();
        for (MetricTemplate m : template.metrics()) {
            observations.add(Judging.applyNanPolicy(m, reader.readInterval(template, m, event, intervalStart,
                    intervalEnd)));
        }
        Map<String, SequentialStep.MetricState> previous = run.lastSeq == seq - 1 ? run.states
                : previousSequentialState(id);
        SequentialStep.StepOutcome d = SequentialStep.step(template, previous, observations, seq, a.measurementCount(),
                progress.extensions());
        ArrayNode metricsJson = json.createArrayNode();
        for (int i = 0; i < template.metrics().size(); i++) {
            MetricTemplate m = template.metrics().get(i);
            Observation o = observations.get(i);
            ObjectNode n = observationJson(m, o);
            if (o.error() == null && m.kind() == MetricTemplate.MetricKindName.COUNTS) {
                n.putPOJO("interval", SequentialStep.interval(o));
            }
            Buckets.Paired buckets = o.error() == null ? SequentialStep.histogram(o) : null;
            if (buckets != null) {
                // the interval's exact per-bucket counts that were fed to the tests (le = upper edge)
                ObjectNode b = n.putObject("buckets");
                ArrayNode le = b.putArray("le");
                for (double x : buckets.bounds()) {
                    le.add(x);
                }
                le.add("+Inf");
                b.putPOJO("canary", buckets.canary());
                b.putPOJO("stable", buckets.stable());
            }
            SequentialStep.MetricState state = d.states().get(m.name());
            // the fields fixed mode stores too, read by the Argo, Flagger and Kayenta endpoints and the web page
            n.put("classification", SequentialStep.classification(m, state, o).name());
            n.put("explanation", SequentialStep.explanation(m, state, d.decision()));
            n.set("sequential", SequentialStep.describe(json, m, state, d.decision()));
            metricsJson.add(n);
        }
        String verdict = d.verdict() == null ? "INCONCLUSIVE" : d.verdict().name();
        ObjectNode result = json.createObjectNode();
        result.put("seq", seq);
        result.put("mode", "sequential");
        if (template.sequential().fastMode()) {
            // labelled wherever the verdict is read: the fast tests' guarantee is asymptotic only
            result.put("fastMode", true);
            result.put("asymptotic", SequentialStep.asymptotic(template));
        }
        result.put("windowStart", intervalStart.toString());
        result.put("windowEnd", intervalEnd.toString());
        result.put("step", Durations.format(template.step()));
        result.put("verdict", verdict);
        result.put("reason", d.reason());
        result.put("decision", d.kind().name());
        if (d.kind() == Lifecycle.Decision.Kind.FINISH) {
            result.put("phase", d.phase().name()); // a restart finishes from this document, not a new measurement
        }
        result.put("action", d.decision().action().name());
        result.set("metrics", metricsJson);
        result.putPOJO("counters", d.counters());
        result.set("sequentialState", SequentialStep.toJson(json, d.states()));
        Instant now = clock.instant();
        AnalysisStore.Write write = store.addMeasurement(new MeasurementRecord(id, seq, intervalStart, intervalEnd, now,
                verdict, null, documents.writeValueAsString(result)), leases.get(id));
        if (write == AnalysisStore.Write.FENCED) {
            fencedOff(id, "measurement " + seq);
            return;
        }
        boolean stored = write == AnalysisStore.Write.STORED;
        recordLateness(due, now);
        run.remember(stored ? seq : -1, d.states(), Map.of());
        if (progress.phase() == Phase.PENDING) {
            store.markRunning(id, now);
        }
        if (LOG.isInfoEnabled()) { // one line per measurement: concatenated, not through a printf Formatter
            LOG.info("analysis=" + id + " step=" + seq + "/" + a.measurementCount() + " mode=sequential action="
                    + d.decision().action() + " decision=" + d.kind());
        }
        switch (d.kind()) {
            case CONTINUE -> schedule(a, seq + 1);
            case EXTEND -> {
                store.extend(id, now);
                LOG.infof("analysis=%s extended reason=%s", id, d.reason());
                schedule(a, seq + 1);
            }
            case FINISH -> {
                forget(id);
                finish(a, event, template, d.phase(), d.verdict(), Double.NaN, d.reason(), metricsJson, now);
            }
        }
    }

    /**
     * A service that stopped between storing an analysis' final measurement and storing its verdict finds, when it
     * resumes, a last measurement whose decision is FINISH: it ends the analysis with that stored decision instead of
     * taking (and judging) a measurement the analysis never planned. Returns whether it did.
     */
    private boolean finishFromStoredDecision(AnalysisRecord a, DeploymentEvent event, AnalysisTemplate template)
            throws JsonProcessingException {
        Optional<MeasurementRecord> last = store.lastMeasurement(a.id());
        if (last.isEmpty()) {
            return false;
        }
        JsonNode r = json.readTree(last.get().resultJson());
        if (!Lifecycle.Decision.Kind.FINISH.name().equals(r.path("decision").asText())) {
            return false;
        }
        io.canaryjudge.judge.Verdict verdict = io.canaryjudge.judge.Verdict.valueOf(r.path("verdict").asText());
        // documents stored before the phase was written with them: the phase their verdict ends in
        Phase phase = r.hasNonNull("phase") ? Phase.valueOf(r.path("phase").asText()) : Phase.of(verdict);
        double score = r.path("score").isNumber() ? r.path("score").asDouble() : Double.NaN;
        ArrayNode metrics = r.path("metrics") instanceof ArrayNode m ? m : json.createArrayNode();
        LOG.infof("analysis=%s resumed after its final measurement %d: finishing with its stored decision", a.id(),
                last.get().seq());
        finish(a, event, template, phase, verdict, score, r.path("reason").asText(null), metrics, clock.instant());
        return true;
    }

    /** The e-process states stored with the last measurement: a restarted service continues the same processes. */
    private Map<String, SequentialStep.MetricState> previousSequentialState(String id) throws JsonProcessingException {
        Optional<MeasurementRecord> last = store.lastMeasurement(id);
        if (last.isEmpty()) {
            return Map.of();
        }
        return SequentialStep.fromJson(json, json.readTree(last.get().resultJson()).path("sequentialState"));
    }

    private Map<String, Lifecycle.Counters> previousCounters(String id) throws JsonProcessingException {
        Optional<MeasurementRecord> last = store.lastMeasurement(id);
        if (last.isEmpty()) {
            return Map.of();
        }
        JsonNode counters = json.readTree(last.get().resultJson()).path("counters");
        return counters.isObject() ? json.convertValue(counters, new TypeReference<Map<String, Lifecycle.Counters>>() { })
                : Map.of();
    }

    private void finish(AnalysisRecord a, DeploymentEvent event, AnalysisTemplate template, Phase phase,
                        io.canaryjudge.judge.Verdict verdict, double score, String reason, ArrayNode metrics, Instant now)
            throws JsonProcessingException {
        SignatureCheck signature = null;
        if (verdict == io.canaryjudge.judge.Verdict.PROMOTE) {
            signature = signatures.check(event.namespace(), event.image(), event.canary().digest(),
                    SignatureCheck.Purpose.PROMOTE);
            if (!signature.allowed()) {
                // an unverified digest is never promoted: INCONCLUSIVE (a person decides) or ABORT, as configured
                verdict = signatures.unsignedVerdict();
                phase = Phase.of(verdict);
                reason = "Not promoted: the canary's image signature was not verified (" + signature.reason()
                        + "). The metrics alone said PROMOTE: " + reason;
            }
        }
        List<VerdictDocument.Metric> slim = new ArrayList<>();
        for (JsonNode m : metrics) {
            ObjectNode copy = ((ObjectNode) m).deepCopy();
            for (String cohort : List.of("canary", "stable")) {
                if (copy.get(cohort) instanceof ObjectNode c) {
                    c.remove(List.of("values", "times"));
                }
            }
            slim.add(json.treeToValue(copy, VerdictDocument.Metric.class));
        }
        boolean fast = template.sequentialMode() && template.sequential().fastMode();
        VerdictDocument v = new VerdictDocument(VerdictDocument.CURRENT_VERSION, a.id(), a.eventId(), a.deploymentId(),
                a.namespace(), a.service(), a.environment(), template.name(), verdict, phase,
                template.sequentialMode() ? "sequential" : null, fast ? Boolean.TRUE : null,
                fast ? SequentialStep.asymptotic(template) : null, Optional.ofNullable(finite(score)), reason,
                new VerdictDocument.Digest(event.canary().digest()), new VerdictDocument.Digest(event.stable().digest()),
                Optional.ofNullable(event.target()), event.image(), signature != null && signature.mode() != SignatureMode.OFF ? signature : null,
                a.startedAt(), now, store.measurementCount(a.id()), slim, null, null, Map.of());
        String verdictJson = VerdictCodec.write(json, v);
        AnalysisStore.Lease lease = leases.remove(a.id());
        if (lease == null) {
            lease = store.claim(a.id(), holder, now.plus(config.leaseDuration()), now).orElse(null);
            if (lease == null) {
                fencedOff(a.id(), "verdict");
                return;
            }
        }
        if (store.finish(a.id(), phase, verdict, finite(score), reason, verdictJson, now, lease)) {
            LOG.infof("analysis=%s service=%s phase=%s verdict=%s score=%s", a.id(), a.key(), phase, verdict, score);
            store.find(a.id()).ifPresent(done -> {
                publisher.publish(done);
                finished.fire(new AnalysisFinished(done));
            });
        }
    }

    /**
     * A stored analysis whose template or event document cannot be read any more (written by another version,
     * edited by hand): it proved nothing, so it ends ERROR with verdict INCONCLUSIVE and says why, instead of being
     * retried forever.
     */
    private void finishUnreadable(AnalysisRecord a, Exception e) {
        Instant now = clock.instant();
        String reason = "The stored analysis cannot be read (its template or event document): "
                + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ". It proved nothing: INCONCLUSIVE, "
                + "a person decides.";
        VerdictDocument v = VerdictDocument.ended(a, io.canaryjudge.judge.Verdict.INCONCLUSIVE, Phase.ERROR,
                reason, now);
        try {
            if (store.finish(a.id(), Phase.ERROR, v.verdict(), null, reason, VerdictCodec.write(json, v), now)) {
                LOG.errorf("analysis=%s service=%s phase=ERROR unreadable: %s", a.id(), a.key(), e.getMessage());
                store.find(a.id()).ifPresent(done -> {
                    publisher.publish(done);
                    finished.fire(new AnalysisFinished(done));
                });
            }
        } catch (RuntimeException failed) {
            LOG.errorf(failed, "analysis=%s could not be ended after it proved unreadable", a.id());
        }
    }

    private ObjectNode metricJson(MetricTemplate m, Observation o, MetricResult r) {
        ObjectNode n = observationJson(m, o);
        judging.describe(r, n);
        return n;
    }

    /** What was read for one metric: its identity, the error or each cohort's queries and values. */
    private ObjectNode observationJson(MetricTemplate m, Observation o) {
        ObjectNode n = json.createObjectNode();
        n.put("name", m.name());
        n.put("kind", m.kind().name().toLowerCase());
        n.put("critical", m.isCritical());
        if (m.isDryRun()) {
            n.put("dryRun", true);
        }
        if (o.error() != null) {
            n.put("error", o.error());
        } else {
            n.set("canary", cohortJson(o.canary()));
            n.set("stable", cohortJson(o.stable()));
        }
        return n;
    }

    /** The cached record with the store's current phase and planned measurement count. */
    private static AnalysisRecord withProgress(AnalysisRecord a, AnalysisStore.Progress p) {
        return new AnalysisRecord(a.id(), a.eventId(), a.deploymentId(), a.namespace(), a.service(), a.environment(),
                a.template(), a.canaryDigest(), a.stableDigest(), a.eventJson(), a.templateJson(), a.startedAt(),
                a.interval(), p.measurementCount(), p.phase(), a.verdict(), a.score(), a.reason(), a.verdictJson(),
                a.createdAt(), a.updatedAt(), a.completedAt(), a.publishedAt());
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    private ObjectNode cohortJson(Observation.CohortData c) {
        ObjectNode n = json.createObjectNode();
        ArrayNode q = n.putArray("queries");
        c.queries().forEach(q::add);
        if (c.exposure() != null || c.events() != null) {
            putNumber(n, "events", c.events());
            putNumber(n, "exposure", c.exposure());
        } else {
            int keep = Math.min(c.values().length, config.maxStoredValues());
            ArrayNode values = n.putArray("values");
            ArrayNode times = n.putArray("times");
            for (int i = 0; i < keep; i++) {
                putNumber(values, c.values()[i]);
                times.add(c.times()[i]);
            }
        }
        return n;
    }

    private static void putNumber(ObjectNode n, String field, Double d) {
        if (d == null || !Double.isFinite(d)) {
            n.putNull(field);
        } else {
            n.put(field, d);
        }
    }

    private static void putNumber(ArrayNode n, double d) {
        if (Double.isFinite(d)) {
            n.add(d);
        } else {
            n.addNull();
        }
    }

}
