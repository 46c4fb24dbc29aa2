package io.canaryjudge.verdict;

import io.canaryjudge.judge.Verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.testing.AnalysisRecordBuilder;
import io.canaryjudge.testing.PostgresServer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.ds.PGSimpleDataSource;

/** The same migrations and the same store code on the embedded H2 and on a real PostgreSQL. */
class AnalysisStoreTest {
    private static PostgresServer postgres;
    private static AnalysisStore h2;
    private static AnalysisStore pg;

    @BeforeAll
    static void start() {
        postgres = PostgresServer.start();
        PGSimpleDataSource pgds = new PGSimpleDataSource();
        pgds.setURL(postgres.jdbcUrl());
        pgds.setUser(postgres.user());
        JdbcDataSource h2ds = new JdbcDataSource();
        h2ds.setURL("jdbc:h2:mem:store-test;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        h2ds.setUser("sa");
        for (javax.sql.DataSource ds : List.of(pgds, h2ds)) {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        }
        pg = new AnalysisStore(pgds);
        h2 = new AnalysisStore(h2ds);
    }

    @AfterAll
    static void stop() {
        postgres.close();
    }

    static Stream<String> stores() {
        return Stream.of("h2", "postgresql");
    }

    private static AnalysisStore store(String kind) {
        return kind.equals("h2") ? h2 : pg;
    }

    private static AnalysisRecord analysis(String eventId, String service, Instant createdAt) {
        return AnalysisRecordBuilder.analysis().eventId(eventId).service(service).startedAt(createdAt.minusSeconds(60))
                .created(createdAt).build();
    }

    @ParameterizedTest
    @MethodSource("stores")
    void sameEventIdIsOneAnalysisEvenWhenRacing(String kind) throws Exception {
        AnalysisStore store = store(kind);
        String eventId = "race-" + UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Callable<AnalysisStore.Insert>> racers = Stream.generate(() -> (Callable<AnalysisStore.Insert>)
                () -> store.insertIfAbsent(analysis(eventId, "race", now))).limit(8).toList();
        List<Future<AnalysisStore.Insert>> results = pool.invokeAll(racers);
        pool.shutdown();
        long created = 0;
        String id = null;
        for (Future<AnalysisStore.Insert> f : results) {
            created += f.get().created() ? 1 : 0;
            id = id == null ? f.get().analysis().id() : id;
            assertEquals(id, f.get().analysis().id());
        }
        assertEquals(1, created);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aNewAnalysisSupersedesTheRunningOnesOfItsServiceInOneTransaction(String kind) {
        AnalysisStore store = store(kind);
        String service = "supersede-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        AnalysisRecord first = store.insertIfAbsent(analysis("s1-" + service, service, now)).analysis();
        AnalysisRecord other = store.insertIfAbsent(analysis("o1-" + service, service + "-other", now)).analysis();
        AnalysisRecord second = analysis("s2-" + service, service, now.plusSeconds(1));
        AnalysisStore.Insert insert = store.insertSuperseding(second, "superseded by " + second.id(), now.plusSeconds(1));
        assertTrue(insert.created());
        assertEquals(List.of(first.id()), insert.superseded());
        AnalysisRecord ended = store.find(first.id()).orElseThrow();
        assertEquals(Phase.CANCELLED, ended.phase());
        assertEquals("superseded by " + second.id(), ended.reason());
        assertEquals(now.plusSeconds(1), ended.completedAt());
        assertEquals(Phase.PENDING, store.find(other.id()).orElseThrow().phase(), "another service is untouched");
        // the same event again: nothing is inserted and nothing superseded
        AnalysisStore.Insert again = store.insertSuperseding(analysis("s2-" + service, service, now.plusSeconds(2)),
                "superseded again", now.plusSeconds(2));
        assertFalse(again.created());
        assertEquals(List.of(), again.superseded());
        assertEquals(Phase.PENDING, store.find(second.id()).orElseThrow().phase());
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aLeaseIsHeldByOneReplicaAtATimeAndFencesTheWritesOfTheOneThatLostIt(String kind) throws Exception {
        AnalysisStore store = store(kind);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        AnalysisRecord a = store.insertIfAbsent(analysis("lease-" + UUID.randomUUID(), "lease", now)).analysis();
        // eight replicas claim at once: exactly one gets it
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Callable<java.util.Optional<AnalysisStore.Lease>>> claims = java.util.stream.IntStream.range(0, 8)
                .mapToObj(i -> (Callable<java.util.Optional<AnalysisStore.Lease>>)
                        () -> store.claim(a.id(), "replica-" + i, now.plusSeconds(60), now)).toList();
        List<AnalysisStore.Lease> granted = new ArrayList<>();
        for (Future<java.util.Optional<AnalysisStore.Lease>> f : pool.invokeAll(claims)) {
            f.get().ifPresent(granted::add);
        }
        pool.shutdown();
        assertEquals(1, granted.size(), granted.toString());
        AnalysisStore.Lease first = granted.get(0);
        assertEquals(1, first.epoch());
        // the holder claims again (same epoch) and renews; another replica cannot claim a live lease
        assertEquals(java.util.Optional.of(first), store.claim(a.id(), first.owner(), now.plusSeconds(90), now));
        assertEquals(1, store.renew(first.owner(), List.of(a.id()), now.plusSeconds(120)));
        assertEquals(0, store.renew("replica-x", List.of(a.id()), now.plusSeconds(120)));
        assertTrue(store.claim(a.id(), "replica-x", now.plusSeconds(60), now.plusSeconds(119)).isEmpty());
        MeasurementRecord m1 = new MeasurementRecord(a.id(), 1, now, now.plusSeconds(60), now, Verdict.PROMOTE, 100.0, "{}");
        assertEquals(AnalysisStore.Write.STORED, store.addMeasurement(m1, first));
        assertEquals(AnalysisStore.Write.DUPLICATE, store.addMeasurement(m1, first));
        // after the lease ended, replica-x takes over with a new epoch: the first holder's writes are refused
        AnalysisStore.Lease second = store.claim(a.id(), "replica-x", now.plusSeconds(300), now.plusSeconds(121))
                .orElseThrow();
        assertEquals(2, second.epoch());
        MeasurementRecord m2 = new MeasurementRecord(a.id(), 2, now, now.plusSeconds(120), now, Verdict.PROMOTE, 100.0, "{}");
        assertEquals(AnalysisStore.Write.FENCED, store.addMeasurement(m2, first));
        assertFalse(store.finish(a.id(), Phase.SUCCESSFUL, Verdict.PROMOTE, 100.0, "zombie", "{}", now, first));
        assertEquals(AnalysisStore.Write.STORED, store.addMeasurement(m2, second));
        // the new holder lets go: anyone may claim at once
        store.release(a.id(), second.owner());
        AnalysisStore.Lease third = store.claim(a.id(), "replica-y", now.plusSeconds(60), now.plusSeconds(122))
                .orElseThrow();
        assertEquals(3, third.epoch());
        assertTrue(store.finish(a.id(), Phase.SUCCESSFUL, Verdict.PROMOTE, 100.0, "done", "{}", now, third));
        assertTrue(store.claim(a.id(), "replica-z", now.plusSeconds(60), now.plusSeconds(500)).isEmpty(),
                "an ended analysis is claimed by nobody");
        assertEquals(2, store.measurementCount(a.id()));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aNewStartSupersedesOnlyTheRunningAnalysesOfItsOwnSource(String kind) {
        AnalysisStore store = store(kind);
        String service = "source-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        AnalysisRecord argo = store.insertIfAbsent(analysis("argo:shop/" + service + "@hash1", service, now)).analysis();
        AnalysisRecord pipeline = store.insertIfAbsent(analysis("evt-1-" + service, service, now)).analysis();
        // the pipeline's next canary ends the pipeline's analysis, not the one Argo Rollouts is waiting for
        AnalysisStore.Insert next = store.insertSuperseding(analysis("evt-2-" + service, service, now.plusSeconds(1)),
                "superseded", now.plusSeconds(1));
        assertEquals(List.of(pipeline.id()), next.superseded());
        assertEquals(Phase.PENDING, store.find(argo.id()).orElseThrow().phase());
        // and the rollout's next canary ends only Argo's
        AnalysisStore.Insert rollout = store.insertSuperseding(analysis("argo:shop/" + service + "@hash2", service,
                now.plusSeconds(2)), "superseded", now.plusSeconds(2));
        assertEquals(List.of(argo.id()), rollout.superseded());
        assertEquals(Phase.PENDING, store.find(next.analysis().id()).orElseThrow().phase());
    }

    @ParameterizedTest
    @MethodSource("stores")
    void judgedAnalysesStreamGroupedByServiceWithTheEventsCommitTime(String kind) {
        AnalysisStore store = store(kind);
        String ns = "judged-" + kind + "-" + UUID.randomUUID().toString().substring(0, 8);
        Instant t0 = Instant.parse("2026-11-01T00:00:00Z");
        record Row(String service, int startMinute, String verdict, String event) {
        }
        List<Row> rows = List.of(new Row("b", 3, "PROMOTE", "{\"commitTime\":\"2026-10-31T23:00:00Z\"}"),
                new Row("a", 2, "ABORT", "{\"x\":{\"commitTime\":\"nested\"},\"commitTime\":1793401200.5}"),
                new Row("b", 1, "INCONCLUSIVE", "{}"), new Row("a", 1, "PROMOTE", "{\"commitTime\":\"not a time\"}"),
                new Row("a", 5, null, "{}"), new Row("b", -5, "PROMOTE", "{}"));
        for (Row r : rows) {
            Instant started = t0.plusSeconds(60L * r.startMinute());
            Instant done = r.verdict() == null ? null : started.plusSeconds(30);
            AnalysisRecordBuilder a = AnalysisRecordBuilder.analysis().eventId("j-" + UUID.randomUUID())
                    .deploymentId("d").namespace(ns).service(r.service()).template("t").eventJson(r.event())
                    .startedAt(started).created(started).phase(Phase.RUNNING);
            store.insertIfAbsent((r.verdict() == null ? a : a.ended(r.verdict(), done).publishedAt(done)).build());
        }
        List<AnalysisStore.Judged> got = new java.util.ArrayList<>();
        store.forEachJudged(ns, null, t0, got::add);
        // judged (verdict and completion) and started since t0 only; by service, then by start
        assertEquals(List.of("a@1", "a@2", "b@1", "b@3"), got.stream()
                .map(j -> j.service() + "@" + (j.startedAt().getEpochSecond() - t0.getEpochSecond()) / 60).toList());
        assertNull(got.get(0).commitTime(), "an unreadable commit time is left out");
        assertEquals(Instant.ofEpochMilli(1793401200500L), got.get(1).commitTime(), "epoch seconds, top level only");
        assertNull(got.get(2).commitTime());
        assertEquals(Instant.parse("2026-10-31T23:00:00Z"), got.get(3).commitTime());
        assertEquals(t0.plusSeconds(210), got.get(3).completedAt());
        List<AnalysisStore.Judged> one = new java.util.ArrayList<>();
        store.forEachJudged(ns, "b", t0, one::add);
        assertEquals(2, one.size());
    }

    /** Instants come back exact, nanos and daylight-saving gaps of the JVM's zone included (run it in any zone). */
    @ParameterizedTest
    @MethodSource("stores")
    void instantsRoundTripExactly(String kind) {
        AnalysisStore store = store(kind);
        for (String t : List.of("2026-03-08T07:30:00.123456Z", "2026-11-01T06:30:00Z", "2026-03-29T01:30:00.5Z",
                "1999-12-31T23:59:59.999999Z")) {
            Instant at = Instant.parse(t);
            AnalysisRecord a = store.insertIfAbsent(analysis("tz-" + UUID.randomUUID(), "tz", at)).analysis();
            AnalysisRecord back = store.find(a.id()).orElseThrow();
            assertEquals(at, back.createdAt(), t);
            assertEquals(at.minusSeconds(60), back.startedAt(), t);
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void analysisEndsOnceAndKeepsItsTimestamps(String kind) {
        AnalysisStore store = store(kind);
        Instant now = Instant.parse("2026-11-26T03:04:05.123Z");
        AnalysisRecord a = store.insertIfAbsent(analysis("end-" + UUID.randomUUID(), "ends", now)).analysis();
        assertTrue(store.finish(a.id(), Phase.FAILED, Verdict.ABORT, 12.5, "why", "{\"v\":1}", now.plusSeconds(5)));
        assertFalse(store.finish(a.id(), Phase.SUCCESSFUL, Verdict.PROMOTE, 100.0, "late", "{}", now.plusSeconds(6)));
        AnalysisRecord stored = store.find(a.id()).orElseThrow();
        assertEquals(Phase.FAILED, stored.phase());
        assertEquals(Verdict.ABORT, stored.verdict());
        assertEquals(12.5, stored.score());
        assertEquals(now, stored.createdAt());
        assertEquals(now.plusSeconds(5), stored.completedAt());
        assertNull(stored.publishedAt());
        assertEquals(1, store.unpublished().stream().filter(u -> u.id().equals(a.id())).count());
        store.markPublished(a.id(), now.plusSeconds(7));
        assertEquals(0, store.unpublished().stream().filter(u -> u.id().equals(a.id())).count());
    }

    @ParameterizedTest
    @MethodSource("stores")
    void measurementsAreWrittenOnceInOrderAndExtendAddsOne(String kind) {
        AnalysisStore store = store(kind);
        Instant now = Instant.parse("2026-11-26T03:04:05Z");
        AnalysisRecord a = store.insertIfAbsent(analysis("m-" + UUID.randomUUID(), "meas", now)).analysis();
        for (int seq : new int[] {2, 1, 2}) {
            store.addMeasurement(new MeasurementRecord(a.id(), seq, now, now.plusSeconds(60L * seq), now, Verdict.PROMOTE, null,
                    "{\"seq\":" + seq + "}"));
        }
        assertEquals(List.of(1, 2), store.measurements(a.id()).stream().map(MeasurementRecord::seq).toList());
        assertEquals(2, store.lastMeasurement(a.id()).orElseThrow().seq());
        assertEquals(1, store.extend(a.id(), now));
        assertEquals(11, store.find(a.id()).orElseThrow().measurementCount());
        store.markRunning(a.id(), now);
        assertEquals(Phase.RUNNING, store.find(a.id()).orElseThrow().phase());
        assertTrue(store.running().stream().anyMatch(r -> r.id().equals(a.id())));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aHumanDecisionAppliesItsVerdictWithItsRecordOrNothing(String kind) {
        AnalysisStore store = store(kind);
        Instant now = Instant.parse("2026-11-26T05:00:00Z");
        AnalysisRecord running = store.insertIfAbsent(analysis("d-" + UUID.randomUUID(), "decide", now)).analysis();
        HumanDecision abort = new HumanDecision(running.id(), "abort", "alice", "errors in the canary", now.plusSeconds(5));
        assertTrue(store.decide(abort, Phase.FAILED, Verdict.ABORT, "aborted by alice", "{\"v\":2}"));
        AnalysisRecord aborted = store.find(running.id()).orElseThrow();
        assertEquals(Phase.FAILED, aborted.phase());
        assertEquals("aborted by alice", aborted.reason());
        assertEquals(now.plusSeconds(5), aborted.completedAt());
        // an ABORT is final: a second decision writes neither the verdict nor its record
        HumanDecision approve = new HumanDecision(running.id(), "approve", "bob", "looks fine", now.plusSeconds(9));
        assertFalse(store.decide(approve, Phase.SUCCESSFUL, Verdict.PROMOTE, "approved by bob", "{}"));
        assertEquals(List.of(abort), store.decisions(running.id()));
        assertEquals(Phase.FAILED, store.find(running.id()).orElseThrow().phase());
        // an INCONCLUSIVE end takes the decision, keeps its end time and is due for publication again
        AnalysisRecord unsure = store.insertIfAbsent(analysis("d-" + UUID.randomUUID(), "decide", now)).analysis();
        assertTrue(store.finish(unsure.id(), Phase.INCONCLUSIVE, Verdict.INCONCLUSIVE, null, "too little traffic", "{}",
                now.plusSeconds(60)));
        store.markPublished(unsure.id(), now.plusSeconds(61));
        store.markCdEventPublished(unsure.id(), now.plusSeconds(61));
        HumanDecision promote = new HumanDecision(unsure.id(), "approve", "bob", "checked by hand", now.plusSeconds(90));
        assertTrue(store.decide(promote, Phase.SUCCESSFUL, Verdict.PROMOTE, "r".repeat(5000), "{}"));
        AnalysisRecord promoted = store.find(unsure.id()).orElseThrow();
        assertEquals(Verdict.PROMOTE, promoted.verdict());
        assertEquals(4000, promoted.reason().length(), "a reason is cut to its column");
        assertEquals(now.plusSeconds(60), promoted.completedAt());
        assertNull(promoted.publishedAt());
        assertTrue(store.unpublished().stream().anyMatch(u -> u.id().equals(unsure.id())));
        assertTrue(store.cdEventsUnpublished(now, 10_000).stream().anyMatch(u -> u.id().equals(unsure.id())));
        assertEquals(List.of(promote), store.decisions(unsure.id()));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aCdEventIsDueFromItsEndUntilKafkaAcknowledgedIt(String kind) {
        AnalysisStore store = store(kind);
        String service = "outbox-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.parse("2026-11-27T05:00:00Z");
        AnalysisRecord judged = store.insertIfAbsent(analysis("o1-" + service, service, now)).analysis();
        AnalysisRecord quiet = store.insertIfAbsent(analysis("o2-" + service, service + "-b", now)).analysis();
        assertTrue(store.finish(judged.id(), Phase.SUCCESSFUL, Verdict.PROMOTE, 100.0, "fine", "{}", now.plusSeconds(30)));
        // superseded with its CANCELLED document: due like a verdict; one superseded without a document is not
        AnalysisRecord next = analysis("o3-" + service, service + "-b", now.plusSeconds(40));
        store.insertSuperseding(next, "superseded", now.plusSeconds(40), old -> "{\"cancelled\":\"" + old.id() + "\"}");
        AnalysisRecord last = analysis("o4-" + service, service + "-b", now.plusSeconds(50));
        store.insertSuperseding(last, "superseded", now.plusSeconds(50));
        assertEquals("{\"cancelled\":\"" + quiet.id() + "\"}", store.find(quiet.id()).orElseThrow().verdictJson());
        assertEquals(Phase.CANCELLED, store.find(next.id()).orElseThrow().phase());
        java.util.function.Supplier<List<String>> due = () -> store.cdEventsUnpublished(now, 10_000).stream()
                .map(AnalysisRecord::id).filter(id -> List.of(judged.id(), quiet.id(), next.id()).contains(id)).toList();
        assertEquals(List.of(judged.id(), quiet.id()), due.get(), "oldest end first");
        assertEquals(List.of(), store.cdEventsUnpublished(now.plusSeconds(45), 10_000).stream()
                .filter(a -> a.id().equals(judged.id()) || a.id().equals(quiet.id())).toList(), "ended before since");
        store.markCdEventPublished(judged.id(), now.plusSeconds(31));
        assertEquals(List.of(quiet.id()), due.get());
        assertTrue(store.unpublished().stream().anyMatch(u -> u.id().equals(judged.id())),
                "the verdict's own acknowledgement is separate");
    }

    @ParameterizedTest
    @MethodSource("stores")
    void theSweepSeesTheNotEndedAnalysesAndTheirProgress(String kind) {
        AnalysisStore store = store(kind);
        String service = "sweep-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.parse("2026-11-28T05:00:00Z");
        AnalysisRecord a = store.insertIfAbsent(analysis("w1-" + service, service, now)).analysis();
        AnalysisRecord b = store.insertIfAbsent(analysis("w2-" + service, service + "-b", now)).analysis();
        assertEquals(new AnalysisStore.Progress(Phase.PENDING, 10, 0), store.progress(a.id()).orElseThrow());
        store.markRunning(a.id(), now);
        assertEquals(1, store.extend(a.id(), now.plusSeconds(1)));
        assertEquals(2, store.extend(a.id(), now.plusSeconds(2)));
        assertEquals(new AnalysisStore.Progress(Phase.RUNNING, 12, 2), store.progress(a.id()).orElseThrow());
        assertEquals(2, store.extensions(a.id()));
        assertEquals(List.of(a.id()), store.running("shop", service).stream().map(AnalysisRecord::id).toList());
        assertTrue(store.runningRefs().contains(new AnalysisStore.RunningRef(b.id(), "shop/" + service + "-b")));
        assertTrue(store.finish(b.id(), Phase.FAILED, Verdict.ABORT, 1.0, "bad", "{}", now.plusSeconds(3)));
        assertTrue(store.runningRefs().stream().noneMatch(r -> r.id().equals(b.id())));
        assertEquals(0, store.extend(b.id(), now.plusSeconds(4)), "an ended analysis is not extended");
        assertTrue(store.progress("no-such-analysis").isEmpty());
        assertEquals(0, store.extensions("no-such-analysis"));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void historyPagesNewestFirstWithFilters(String kind) {
        AnalysisStore store = store(kind);
        String service = "page" + kind.length();
        Instant base = Instant.parse("2026-11-20T00:00:00Z");
        for (int i = 0; i < 5; i++) {
            store.insertIfAbsent(analysis("p-" + kind + i, service, base.plusSeconds(i)));
        }
        AnalysisStore.Page first = store.list(new AnalysisQuery("shop", service, null, null, null, 2, null));
        assertEquals(2, first.items().size());
        assertEquals("p-" + kind + 4, first.items().get(0).eventId());
        assertNull(first.items().get(0).eventJson(), "the history list carries summaries, not the frozen documents");
        AnalysisStore.Page second = store.list(new AnalysisQuery("shop", service, null, null, null, 2, first.nextCursor()));
        assertEquals(List.of("p-" + kind + 2, "p-" + kind + 1), second.items().stream().map(AnalysisRecord::eventId).toList());
        AnalysisStore.Page last = store.list(new AnalysisQuery("shop", service, null, null, null, 2, second.nextCursor()));
        assertEquals(1, last.items().size());
        assertNull(last.nextCursor());
    }
}
