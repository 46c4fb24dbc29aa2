package io.canaryjudge.verdict;

import io.canaryjudge.event.EventSource;
import jakarta.enterprise.context.ApplicationScoped;
import io.canaryjudge.judge.Verdict;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Persistence of analyses and measurements over plain JDBC. Every state change is one conditional statement, so a
 * verdict is written once even when two callers race. This is the store's one entry point; each responsibility
 * lives in its own package-private class: {@link AnalysisInserts} (insert and supersede), {@link AnalysisReads},
 * {@link AnalysisTransitions} (run, extend, finish), {@link StoredMeasurements}, {@link AnalysisLeases} (claims and
 * fencing), {@link VerdictOutbox} (what Kafka has not acknowledged), {@link DecisionLog} (human decisions) and
 * {@link AnalysisHistory} (history list, DORA stream), over the shared {@link StoreJdbc} and {@link AnalysisRows}.
 */
@ApplicationScoped
public class AnalysisStore {
    private final AnalysisReads reads;
    private final AnalysisInserts inserts;
    private final AnalysisTransitions transitions;
    private final StoredMeasurements measurements;
    private final AnalysisLeases leases;
    private final VerdictOutbox outbox;
    private final DecisionLog decisions;
    private final AnalysisHistory history;

    AnalysisStore(DataSource db) {
        StoreJdbc jdbc = new StoreJdbc(db);
        this.reads = new AnalysisReads(jdbc);
        this.inserts = new AnalysisInserts(jdbc, reads);
        this.transitions = new AnalysisTransitions(jdbc, reads);
        this.measurements = new StoredMeasurements(jdbc);
        this.leases = new AnalysisLeases(jdbc);
        this.outbox = new VerdictOutbox(jdbc);
        this.decisions = new DecisionLog(jdbc);
        this.history = new AnalysisHistory(jdbc);
    }

    // --- analyses: insert and supersede

    /** Inserts the analysis unless one with the same event id exists; returns the stored one either way. */
    public Insert insertIfAbsent(AnalysisRecord a) {
        return inserts.insert(a, null);
    }

    /**
     * Inserts the analysis and, in the same transaction, ends every other PENDING or RUNNING analysis of its
     * namespace/service started by the same source ({@link EventSource}) as CANCELLED with {@code reason}: a crash in
     * between can leave neither two running analyses of one service and source nor a superseded analysis without its
     * successor. Nothing changes when the event id exists.
     */
    public Insert insertSuperseding(AnalysisRecord a, String reason, Instant now) {
        return insertSuperseding(a, reason, now, x -> null);
    }

    /**
     * As {@link #insertSuperseding(AnalysisRecord, String, Instant)}, storing with each superseded analysis the
     * document {@code cancelled} writes for it (its CANCELLED event, published like a verdict) in the same transaction.
     */
    public Insert insertSuperseding(AnalysisRecord a, String reason, Instant now,
                                    Function<AnalysisRecord, String> cancelled) {
        return inserts.insert(a, new AnalysisInserts.Supersede(reason, now, cancelled));
    }

    // --- analyses: reads

    public Optional<AnalysisRecord> find(String id) {
        return reads.find(id);
    }

    public Optional<AnalysisRecord> findByEventId(String eventId) {
        return reads.findByEventId(eventId);
    }

    /** Analyses not yet ended (PENDING or RUNNING), oldest first. */
    public List<AnalysisRecord> running() {
        return reads.running();
    }

    public List<AnalysisRecord> running(String namespace, String service) {
        return reads.running(namespace, service);
    }

    /** Ids and keys of the analyses not yet ended: the sweep's cheap scan (no event or template text). */
    public List<RunningRef> runningRefs() {
        return reads.runningRefs();
    }

    /** What changes while an analysis runs (phase, planned measurements, extensions), read before each measurement. */
    public Optional<Progress> progress(String id) {
        return reads.progress(id);
    }

    public int extensions(String id) {
        return reads.extensions(id);
    }

    // --- analyses: transitions

    /** PENDING becomes RUNNING when the first measurement is stored. */
    public void markRunning(String id, Instant at) {
        transitions.markRunning(id, at);
    }

    /** Adds one measurement to a running analysis (low-traffic extension); returns the extensions used so far. */
    public int extend(String id, Instant at) {
        return transitions.extend(id, at);
    }

    /**
     * Ends a PENDING or RUNNING analysis. Returns false when it had already ended, so the caller that gets true
     * is the only one to publish.
     */
    public boolean finish(String id, Phase phase, Verdict verdict, Double score, String reason, String verdictJson,
                          Instant at) {
        return transitions.finish(id, phase, verdict, score, reason, verdictJson, at, null);
    }

    /**
     * Ends a running analysis with its verdict, only while {@code lease} (when given) is still its current lease:
     * false when it had ended already or another replica has claimed it since.
     */
    public boolean finish(String id, Phase phase, Verdict verdict, Double score, String reason, String verdictJson,
                          Instant at, Lease lease) {
        return transitions.finish(id, phase, verdict, score, reason, verdictJson, at, lease);
    }

    // --- measurements

    /** Stores a measurement; a second write of the same (analysis, seq) is ignored. */
    public boolean addMeasurement(MeasurementRecord m) {
        return measurements.add(m);
    }

    /**
     * Stores a measurement only while {@code lease} is the analysis' current lease (same owner, same epoch): FENCED
     * when another replica has claimed it since; DUPLICATE when the same (analysis, seq) is stored already.
     */
    public Write addMeasurement(MeasurementRecord m, Lease lease) {
        return measurements.add(m, lease);
    }

    public List<MeasurementRecord> measurements(String analysisId) {
        return measurements.all(analysisId);
    }

    /** The measurement with the highest seq, if any. */
    public Optional<MeasurementRecord> lastMeasurement(String analysisId) {
        return measurements.last(analysisId);
    }

    public int measurementCount(String analysisId) {
        return measurements.count(analysisId);
    }

    // --- leases

    /**
     * Claims a PENDING or RUNNING analysis for {@code owner} until {@code until}: granted when nobody holds it, when
     * {@code owner} already does (then it is extended, same epoch), or when the holder's lease ended before {@code now}
     * (then the epoch goes up, fencing the previous holder's writes). Empty when another replica holds a live lease or
     * the analysis has ended.
     */
    public Optional<Lease> claim(String id, String owner, Instant until, Instant now) {
        return leases.claim(id, owner, until, now);
    }

    /** Extends {@code owner}'s leases on these analyses to {@code until}; returns how many it still held. */
    public int renew(String owner, Collection<String> ids, Instant until) {
        return leases.renew(owner, ids, until);
    }

    /** Gives up {@code owner}'s lease (it no longer runs the analysis): another replica may claim it at once. */
    public void release(String id, String owner) {
        leases.release(id, owner);
    }

    // --- the outbox: verdicts and CDEvents Kafka has not acknowledged

    /** Analyses with a verdict, or a CANCELLED end with its document, that Kafka has not acknowledged yet. */
    public List<AnalysisRecord> unpublished() {
        return outbox.unpublished();
    }

    public void markPublished(String id, Instant at) {
        outbox.markPublished(id, at);
    }

    /**
     * Ended analyses (a verdict, or CANCELLED with its document) since {@code since} whose CDEvent Kafka has not
     * acknowledged yet, oldest first, at most {@code limit}.
     */
    public List<AnalysisRecord> cdEventsUnpublished(Instant since, int limit) {
        return outbox.cdEventsUnpublished(since, limit);
    }

    /** Kafka acknowledged the analysis' CDEvent. */
    public void markCdEventPublished(String id, Instant at) {
        outbox.markCdEventPublished(id, at);
    }

    // --- human decisions

    /**
     * Records a human decision and applies its verdict in one transaction: a running analysis ends, an ended
     * INCONCLUSIVE one gets the new verdict. Returns false (nothing written) when the analysis is in a state the
     * decision cannot change.
     */
    public boolean decide(HumanDecision d, Phase phase, Verdict verdict, String reason, String verdictJson) {
        return decisions.decide(d, phase, verdict, reason, verdictJson);
    }

    public List<HumanDecision> decisions(String analysisId) {
        return decisions.decisions(analysisId);
    }

    // --- history

    /**
     * Newest first, keyset-paginated: the cursor is the position after the last row of the previous page. The
     * rows are summaries: eventJson, templateJson and verdictJson are null (read one analysis for them).
     */
    public Page list(AnalysisQuery q) {
        return history.list(q);
    }

    /**
     * Streams the judged analyses started at or after {@code since} (optionally of one namespace and/or service) to
     * {@code each}, grouped by namespace and service and by start time within each: the window is read a page at a
     * time and never held whole (the DORA figures keep one service's deployments at a time).
     */
    public void forEachJudged(String namespace, String service, Instant since, Consumer<Judged> each) {
        history.forEachJudged(namespace, service, since, each);
    }

    // --- the values the store hands out

    /** One judged analysis as the DORA figures read it: no documents, the event's commit time from its column. */
    public record Judged(String id, String namespace, String service, Verdict verdict, Instant startedAt,
                         Instant completedAt, Instant commitTime) {
    }

    /** A running analysis's id and key ({@code namespace/service}). */
    public record RunningRef(String id, String key) {
    }

    /** The mutable part of a running analysis. */
    public record Progress(Phase phase, int measurementCount, int extensions) {
    }

    /**
     * Result of an insert: the stored analysis, whether this call created it, and the analyses it ended as
     * CANCELLED (empty for a plain insert).
     */
    public record Insert(AnalysisRecord analysis, boolean created, List<String> superseded) {
    }

    /** One page of history and the cursor of the next page (null on the last page). */
    public record Page(List<AnalysisRecord> items, String nextCursor) {
    }

    /** A replica's claim on a running analysis: who holds it and the fencing token its writes must name. */
    public record Lease(String analysisId, String owner, long epoch) {
    }

    /** What a fenced write did. */
    public enum Write { STORED, DUPLICATE, FENCED }
}
