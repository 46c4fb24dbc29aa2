package io.canaryjudge.rollback;

import io.canaryjudge.judge.Verdict;
import static io.canaryjudge.rollback.Cluster.CANARY;
import static io.canaryjudge.rollback.Cluster.STABLE;
import static io.canaryjudge.rollback.Cluster.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.canaryjudge.testing.AnalysisRecordBuilder;
import io.canaryjudge.testing.CdEventSchemas;
import io.canaryjudge.verdict.AnalysisRecord;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exactly once, on a real (H2) store migrated by the real Flyway scripts and the mock API server. */
@EnableKubernetesMockClient(crud = true)
class RollbacksTest {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());
    private static final Instant VERDICT_AT = Instant.parse("2026-11-26T01:10:00Z");

    KubernetesMockServer server;
    KubernetesClient client;
    JdbcDataSource db;
    RollbackStore store;
    MutableClock clock = new MutableClock(VERDICT_AT.plusSeconds(2));
    List<RollbackStatus> announced = Collections.synchronizedList(new ArrayList<>());
    Map<String, AnalysisRecord> analyses = new HashMap<>();

    @BeforeEach
    void setUp() {
        db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:rollbacks-" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        db.setUser("sa");
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        store = new RollbackStore(db);
        new Cluster(client).deployment("checkout", image(STABLE), image(CANARY));
    }

    private Rollbacks rollbacks(String holder, Map<String, String> config, Strategy... strategies) {
        Map<String, String> p = new HashMap<>(Map.of("canary.rollback.enabled", "true",
                "canary.rollback.namespaces", "shop,payments", "canary.rollback.retries", "2"));
        p.putAll(config);
        List<Strategy> list = strategies.length > 0 ? List.of(strategies)
                : List.of(new DeploymentRollback(client, JSON), new ArgoRolloutRollback(client, JSON));
        return new Rollbacks(Configs.rollback(p), store, list, (a, s) -> {
            announced.add(s);
            store.markPublished(a.id(), clock.instant());
        }, id -> Optional.ofNullable(analyses.get(id)), JSON, clock, holder);
    }

    private Rollbacks rollbacks(String holder) {
        return rollbacks(holder, Map.of());
    }

    /** A stored ABORT analysis of shop/checkout targeting the Deployment, with the template's rollback section. */
    private AnalysisRecord abort(String templateRollback) throws Exception {
        return analysis("ABORT", "Deployment", "shop", templateRollback);
    }

    private AnalysisRecord analysis(String verdict, String kind, String namespace, String templateRollback) throws Exception {
        String id = UUID.randomUUID().toString();
        String event = """
                {"id":"evt-%s","type":"STARTED","deploymentId":"checkout-42","namespace":"%s","service":"checkout",
                 "template":"t","canary":{"digest":"%s","labels":{"track":"canary"}},
                 "stable":{"digest":"%s","labels":{"track":"stable"}},
                 "target":{"kind":"%s","name":"checkout","container":"app"},"startedAt":"2026-11-26T01:00:00Z"}
                """.formatted(id, namespace, CANARY, STABLE, kind);
        String template = "{\"name\":\"t\"" + (templateRollback == null ? "" : ",\"rollback\":" + templateRollback) + "}";
        AnalysisRecord a = AnalysisRecordBuilder.analysis().id(id).deploymentId("checkout-42").namespace(namespace)
                .environment("prod").template("t").canaryDigest(CANARY).stableDigest(STABLE).eventJson(event)
                .templateJson(template).startedAt(Instant.parse("2026-11-26T01:00:00Z")).ended(verdict, VERDICT_AT)
                .score(0.0).reason("error-rate HIGH").verdictJson("{}").created(VERDICT_AT).publishedAt(VERDICT_AT)
                .build();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO analysis (id, "
                + "event_id, deployment_id, namespace, service, template, canary_digest, stable_digest, event_json, "
                + "template_json, started_at, interval_ms, measurement_count, phase, verdict, created_at, updated_at, "
                + "completed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            Object[] v = {id, a.eventId(), a.deploymentId(), namespace, "checkout", "t", CANARY, STABLE, event, template,
                    at(a.startedAt()), 60000L, 10, "COMPLETED", verdict, at(VERDICT_AT), at(VERDICT_AT), at(VERDICT_AT)};
            for (int i = 0; i < v.length; i++) {
                ps.setObject(i + 1, v[i]);
            }
            ps.executeUpdate();
        }
        analyses.put(id, a);
        return a;
    }

    private static OffsetDateTime at(Instant t) {
        return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    private int patches() throws InterruptedException {
        int n = 0;
        RecordedRequest r;
        while ((r = server.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            if ("PATCH".equals(r.getMethod())) {
                n++;
            }
        }
        return n;
    }

    @Test
    void abortIsRolledBackStoredWithTimeToRestoreAndAnnounced() throws Exception {
        AnalysisRecord a = abort(null);

        RollbackStatus s = rollbacks("r1").rollBack(a).orElseThrow();

        assertEquals(RollbackState.APPLIED, s.state(), s.reason());
        assertEquals(image(STABLE), new Cluster(client).deploymentImage("checkout"));
        assertEquals("Deployment", s.strategy());
        assertEquals(1, s.attempts());
        assertEquals(Optional.of(Duration.ofSeconds(2)), s.timeToRestore());
        assertEquals(List.of(s), announced);
        assertTrue(store.find(a.id()).orElseThrow().publishedAt() != null);
    }

    @Test
    void sameVerdictTwiceIsOneRollback() throws Exception {
        AnalysisRecord a = abort(null);
        Rollbacks r = rollbacks("r1");

        assertTrue(r.rollBack(a).isPresent());
        assertFalse(r.rollBack(a).isPresent(), "the second delivery finds the row and does nothing");

        assertEquals(1, patches());
        assertEquals(1, announced.size());
    }

    @Test
    void concurrentReplicasRollBackOnce() throws Exception {
        AnalysisRecord a = abort(null);
        List<Rollbacks> replicas = List.of(rollbacks("r1"), rollbacks("r2"), rollbacks("r3"), rollbacks("r4"));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(replicas.size());
        List<Future<Optional<RollbackStatus>>> results = new ArrayList<>();
        for (Rollbacks r : replicas) {
            results.add(pool.submit((Callable<Optional<RollbackStatus>>) () -> {
                start.await();
                return r.rollBack(a);
            }));
        }
        start.countDown();
        int won = 0;
        for (Future<Optional<RollbackStatus>> f : results) {
            won += f.get().isPresent() ? 1 : 0;
        }
        pool.shutdown();

        assertEquals(1, won);
        assertEquals(1, patches());
        assertEquals(1, announced.size());
        assertEquals(RollbackState.APPLIED, announced.get(0).state());
    }

    @Test
    void aFailedRollbackIsTriedAgainWithBackoffUntilItsWindowEnds() throws Exception {
        AnalysisRecord a = abort(null);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        Strategy flaky = new Strategy() {
            @Override public io.canaryjudge.event.TargetKind kind() {
                return io.canaryjudge.event.TargetKind.DEPLOYMENT;
            }

            @Override public RollbackOutcome rollBack(RollbackRequest request) {
                if (calls.incrementAndGet() <= 3) { // the API server is down for the first three attempts
                    throw new IllegalStateException("connection refused");
                }
                return RollbackOutcome.applied("image set to the stable digest", "checkout", "r/checkout");
            }
        };
        Rollbacks r = rollbacks("r1", Map.of("canary.rollback.retries", "1"), flaky);
        assertEquals(RollbackState.FAILED, r.rollBack(a).orElseThrow().state());

        r.recover();
        assertEquals(1, store.find(a.id()).orElseThrow().attempts(), "not before the backoff (30 s)");
        clock.advance(Duration.ofSeconds(31));
        r.recover();
        RollbackStatus second = store.find(a.id()).orElseThrow();
        assertEquals(RollbackState.FAILED, second.state());
        assertEquals(2, second.attempts());
        clock.advance(Duration.ofSeconds(31));
        r.recover();
        assertEquals(2, store.find(a.id()).orElseThrow().attempts(), "the backoff doubled: 60 s after attempt 2");
        clock.advance(Duration.ofSeconds(30));
        r.recover();
        assertEquals(3, store.find(a.id()).orElseThrow().attempts());
        clock.advance(Duration.ofMinutes(2));
        r.recover();
        RollbackStatus done = store.find(a.id()).orElseThrow();
        assertEquals(RollbackState.APPLIED, done.state(), done.reason());
        assertEquals(4, done.attempts());
        assertEquals(4, announced.size(), "every attempt's outcome is announced");
        assertEquals(RollbackState.APPLIED, announced.get(3).state());

        // past the recovery window a FAILED rollback is left alone (and reported): the verdict is an hour old
        AnalysisRecord old = abort(null);
        Rollbacks never = rollbacks("r1", Map.of("canary.rollback.retries", "1"), new Strategy() {
            @Override public io.canaryjudge.event.TargetKind kind() {
                return io.canaryjudge.event.TargetKind.DEPLOYMENT;
            }

            @Override public RollbackOutcome rollBack(RollbackRequest request) {
                throw new IllegalStateException("connection refused");
            }
        });
        clock.set(VERDICT_AT.plusSeconds(2));
        assertEquals(RollbackState.FAILED, never.rollBack(old).orElseThrow().state());
        clock.set(VERDICT_AT.plus(Duration.ofHours(2)));
        never.recover();
        assertEquals(1, store.find(old.id()).orElseThrow().attempts());
    }

    @Test
    void aPersonsAbortOfAnOldInconclusiveAnalysisIsRecoveredToo() throws Exception {
        AnalysisRecord a = abort(null);
        // INCONCLUSIVE three hours ago, aborted by a person now: completed_at stays, updated_at is the decision
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE analysis SET completed_at = ?, updated_at = ? WHERE id = ?")) {
            ps.setObject(1, at(VERDICT_AT.minus(Duration.ofHours(3))));
            ps.setObject(2, at(VERDICT_AT));
            ps.setString(3, a.id());
            ps.executeUpdate();
        }
        rollbacks("r1").recover(); // the rollback the decision triggered was lost (a restart): recovery finds it
        RollbackStatus s = store.find(a.id()).orElseThrow();
        assertEquals(RollbackState.APPLIED, s.state(), s.reason());
    }

    @Test
    void claimLeftByACrashedReplicaIsTakenOverAfterItsLease() throws Exception {
        AnalysisRecord a = abort(null);
        assertTrue(store.claim(a.id(), "Deployment", false, "dead-replica", clock.instant(), VERDICT_AT));
        Rollbacks survivor = rollbacks("r2");

        survivor.recover();
        assertTrue(announced.isEmpty(), "a live lease is respected");
        assertEquals(RollbackState.CLAIMED, store.find(a.id()).orElseThrow().state());

        clock.advance(Duration.ofMinutes(6));
        survivor.recover();

        RollbackStatus s = store.find(a.id()).orElseThrow();
        assertEquals(RollbackState.APPLIED, s.state(), s.reason());
        assertEquals(2, s.attempts());
        assertEquals(image(STABLE), new Cluster(client).deploymentImage("checkout"));
        assertFalse(store.finish(a.id(), "dead-replica", RollbackOutcome.failed("late"), clock.instant()),
                "the crashed replica, come back, cannot overwrite the outcome");
    }

    @Test
    void restartAfterTheChangeButBeforeTheOutcomeFindsItAppliedWithoutChangingAgain() throws Exception {
        AnalysisRecord a = abort(null);
        new DeploymentRollback(client, JSON).rollBack(Cluster.request("Deployment", "checkout", false));
        store.claim(a.id(), "Deployment", false, "dead-replica", clock.instant().minus(Duration.ofHours(1)), VERDICT_AT);
        patches();

        rollbacks("r2").recover();

        RollbackStatus s = store.find(a.id()).orElseThrow();
        assertEquals(RollbackState.APPLIED, s.state());
        assertEquals("already at the stable digest, nothing changed", s.reason());
        assertEquals(0, patches());
    }

    @Test
    void recoveryRollsBackAnAbortThatWasNeverClaimed() throws Exception {
        AnalysisRecord a = abort(null);

        rollbacks("r1").recover();

        assertEquals(RollbackState.APPLIED, store.find(a.id()).orElseThrow().state());
    }

    @Test
    void recoveryLeavesAbortsOlderThanItsWindowAlone() throws Exception {
        AnalysisRecord a = abort(null);
        clock.advance(Duration.ofHours(2));

        rollbacks("r1").recover();

        assertTrue(store.find(a.id()).isEmpty());
    }

    @Test
    void recoveryRepublishesOutcomesKafkaNeverAcknowledged() throws Exception {
        AnalysisRecord a = abort(null);
        assertTrue(store.claim(a.id(), "Deployment", false, "r0", clock.instant(), VERDICT_AT));
        store.finish(a.id(), "r0", RollbackOutcome.refused("test"), clock.instant());

        rollbacks("r1").recover();

        assertEquals(1, announced.size());
        assertEquals(RollbackState.REFUSED, announced.get(0).state());
    }

    @Test
    void namespaceNotInTheAllowListIsRefused() throws Exception {
        AnalysisRecord a = analysis("ABORT", "Deployment", "billing", null);

        RollbackStatus s = rollbacks("r1").rollBack(a).orElseThrow();

        assertEquals(RollbackState.REFUSED, s.state());
        assertEquals("namespace billing is not allowed to be rolled back (canary.rollback.namespaces: [shop, payments])",
                s.reason());
    }

    @Test
    void noNamespaceIsAllowedByDefault() throws Exception {
        AnalysisRecord a = abort(null);
        Rollbacks r = new Rollbacks(Configs.rollback(Map.of("canary.rollback.enabled", "true")), store,
                List.of(new DeploymentRollback(client, JSON)), (x, s) -> announced.add(s),
                id -> Optional.empty(), JSON, clock, "r1");

        RollbackStatus s = r.rollBack(a).orElseThrow();

        assertEquals(RollbackState.REFUSED, s.state());
        assertTrue(s.reason().endsWith("(canary.rollback.namespaces: none)"), s.reason());
        assertEquals(image(CANARY), new Cluster(client).deploymentImage("checkout"));
    }

    @Test
    void starAllowsEveryNamespace() throws Exception {
        AnalysisRecord a = abort(null);

        RollbackStatus s = rollbacks("r1", Map.of("canary.rollback.namespaces", "*")).rollBack(a).orElseThrow();

        assertEquals(RollbackState.APPLIED, s.state());
    }

    @Test
    void offByDefaultAndOnlyForAbort() throws Exception {
        Rollbacks off = new Rollbacks(Configs.rollback(Map.of("canary.rollback.namespaces", "*")), store,
                List.of(new DeploymentRollback(client, JSON)), (x, s) -> announced.add(s), id -> Optional.empty(),
                JSON, clock, "r1");
        AnalysisRecord abort = abort(null);
        AnalysisRecord promote = analysis("PROMOTE", "Deployment", "shop", "{\"enabled\":true}");

        assertTrue(off.rollBack(abort).isEmpty());
        assertTrue(rollbacks("r1").rollBack(promote).isEmpty());

        assertTrue(store.find(abort.id()).isEmpty());
        assertTrue(store.find(promote.id()).isEmpty());
        assertEquals(image(CANARY), new Cluster(client).deploymentImage("checkout"));
    }

    @Test
    void templateSectionOverridesTheServiceDefault() throws Exception {
        Rollbacks off = new Rollbacks(Configs.rollback(Map.of("canary.rollback.namespaces", "*")), store,
                List.of(new DeploymentRollback(client, JSON)), (x, s) -> announced.add(s), id -> Optional.empty(),
                JSON, clock, "r1");

        assertTrue(rollbacks("r1").rollBack(abort("{\"enabled\":false}")).isEmpty(), "template turns it off");
        RollbackStatus s = off.rollBack(abort("{\"enabled\":true,\"dryRun\":true}")).orElseThrow();

        assertEquals(RollbackState.DRY_RUN, s.state(), "template turns it on, as a dry run");
        assertTrue(s.dryRun());
        assertTrue(s.timeToRestore().isEmpty());
        assertEquals(image(CANARY), new Cluster(client).deploymentImage("checkout"));
    }

    /**
     * A rollback that takes longer than its lease (a slow GitOps push): the claim is renewed while it runs, so the
     * recovery scan of another replica does not take it over and write a second time.
     */
    @Test
    void aSlowRollbackKeepsItsClaimSoNoOtherReplicaWritesAgain() throws Exception {
        AnalysisRecord a = abort(null);
        Map<String, String> shortLease = Map.of("canary.rollback.lease", "PT1.5S");
        Rollbacks other = rollbacks("r2", shortLease);
        DeploymentRollback patch = new DeploymentRollback(client, JSON);
        Strategy slow = new Strategy() {
            public io.canaryjudge.event.TargetKind kind() {
                return io.canaryjudge.event.TargetKind.DEPLOYMENT;
            }

            public RollbackOutcome rollBack(RollbackRequest r) {
                // the push takes longer than the lease; meanwhile the other replica's recovery scan runs
                clock.advance(Duration.ofSeconds(10));
                try {
                    Thread.sleep(1_200); // renewals at every third of the lease, with the clock as it is now
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                other.recover();
                return patch.rollBack(r);
            }
        };

        RollbackStatus s = rollbacks("r1", shortLease, slow).rollBack(a).orElseThrow();

        assertEquals(RollbackState.APPLIED, s.state());
        assertEquals(1, patches(), "one write: the other replica found a live claim");
        assertEquals(1, announced.size());
    }

    /** The service default is no safe guess for a template that may have turned rollbacks off: refused, with why. */
    @Test
    void anUnreadableTemplateIsRefusedWithTheReasonNotRolledBackByTheServiceDefault() throws Exception {
        AnalysisRecord a = abort("{\"enabled\": [not json");

        RollbackStatus s = rollbacks("r1").rollBack(a).orElseThrow();

        assertEquals(RollbackState.REFUSED, s.state(), s.reason());
        assertTrue(s.reason().startsWith("the template stored with the analysis cannot be read ("), s.reason());
        assertTrue(s.reason().endsWith("whether and how its ABORT rolls back is unknown, so nothing was rolled back"),
                s.reason());
        assertEquals(image(CANARY), new Cluster(client).deploymentImage("checkout"), "nothing written");
        assertEquals(0, patches());
        assertEquals(List.of(s), announced, "the refusal is announced like any outcome");
    }

    @Test
    void persistentServerErrorsAreRetriedThenFailedWithTheError() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Strategy broken = new Strategy() {
            public io.canaryjudge.event.TargetKind kind() {
                return io.canaryjudge.event.TargetKind.DEPLOYMENT;
            }

            public RollbackOutcome rollBack(RollbackRequest r) {
                calls.incrementAndGet();
                throw new KubernetesClientException("Service Unavailable", 503, null);
            }
        };

        RollbackStatus s = rollbacks("r1", Map.of(), broken).rollBack(abort(null)).orElseThrow();

        assertEquals(RollbackState.FAILED, s.state());
        assertEquals("Deployment shop/checkout: Service Unavailable", s.reason());
        assertEquals(3, calls.get(), "one try and two retries");
    }

    @Test
    void forbiddenIsNotRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Strategy forbidden = new Strategy() {
            public io.canaryjudge.event.TargetKind kind() {
                return io.canaryjudge.event.TargetKind.DEPLOYMENT;
            }

            public RollbackOutcome rollBack(RollbackRequest r) {
                calls.incrementAndGet();
                throw new KubernetesClientException("deployments.apps is forbidden", 403, null);
            }
        };

        RollbackStatus s = rollbacks("r1", Map.of(), forbidden).rollBack(abort(null)).orElseThrow();

        assertEquals(RollbackState.FAILED, s.state());
        assertEquals(1, calls.get());
    }

    @Test
    void rolledBackEventIsACdEventWithTheOutcome() throws Exception {
        AnalysisRecord a = abort(null);
        RollbackStatus s = rollbacks("r1").rollBack(a).orElseThrow();

        JsonNode e = RolledBackEvent.json(JSON, a, s, "https://judge/api/v1/analyses/" + a.id());

        assertEquals("dev.cdevents.service.rolledback.0.3.0", e.path("context").path("type").asText());
        assertEquals("rollback-" + a.id(), e.path("context").path("id").asText());
        assertEquals("/canary-judge", e.path("context").path("source").asText());
        assertEquals(s.finishedAt().toString(), e.path("context").path("timestamp").asText());
        assertEquals("shop/checkout", e.path("subject").path("id").asText());
        assertEquals("prod", e.path("subject").path("content").path("environment").path("id").asText());
        assertEquals("pkg:oci/checkout@sha256%3A" + "b".repeat(64) + "?repository_url=" + Cluster.REPO,
                e.path("subject").path("content").path("artifactId").asText(), "the purl spec encodes the colon");
        assertEquals("0.5.1", e.path("context").path("specversion").asText(), "the release defining rolledback.0.3.0");
        assertEquals(a.id(), e.path("customData").path("analysisId").asText());
        assertEquals("APPLIED", e.path("customData").path("outcome").asText());
        assertEquals(2.0, e.path("customData").path("timeToRestoreSeconds").asDouble());
        assertEquals(List.of(), CdEventSchemas.validate("v0.5.1", "servicerolledback", e), e.toPrettyString());
        // the validator bites: the v0.4 context attribute name is not allowed by the v0.5.1 schema
        ((com.fasterxml.jackson.databind.node.ObjectNode) e.path("context")).put("version", "0.4.1");
        assertFalse(CdEventSchemas.validate("v0.5.1", "servicerolledback", e).isEmpty());
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        void set(Instant t) {
            now = t;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
