package io.canaryjudge.rollback;

import io.canaryjudge.judge.Verdict;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.canaryjudge.supplychain.CosignFixtures;
import io.canaryjudge.supplychain.ImageReference;
import io.canaryjudge.supplychain.SignatureCheck;
import io.canaryjudge.supplychain.SignatureTesting;
import io.canaryjudge.supplychain.SignedCases;
import io.canaryjudge.supplychain.Signatures;
import io.canaryjudge.testing.AnalysisRecordBuilder;
import io.canaryjudge.testing.RegistryServer;
import io.canaryjudge.verdict.AnalysisRecord;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rollback writes only a stable digest signed by an accepted key: cosign signatures in a real registry on loopback,
 * the store on H2 with the real migrations, Deployments on the Kubernetes mock server.
 */
@EnableKubernetesMockClient(crud = true)
class SignedRollbackTest {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule());
    private static final Instant AT = Instant.parse("2026-11-26T01:10:00Z");

    static RegistryServer registry;
    static java.security.KeyPair release;
    static ImageReference signedStable;
    static ImageReference unsignedStable;
    static ImageReference canary;
    static Map<SignedCases.Case, ImageReference> cases;

    KubernetesClient client;
    JdbcDataSource db;
    RollbackStore store;
    @TempDir
    Path dir;
    final Map<String, AnalysisRecord> analyses = new HashMap<>();
    final Map<String, AtomicInteger> calls = new HashMap<>();

    @BeforeAll
    static void images() throws Exception {
        registry = RegistryServer.shared();
        release = CosignFixtures.p256();
        signedStable = CosignFixtures.pushImage(registry, "shop/checkout", "stable-signed");
        CosignFixtures.pushSignatures(registry, signedStable, List.of(CosignFixtures.signedLayer(signedStable,
            release.getPrivate())));
        unsignedStable = CosignFixtures.pushImage(registry, "shop/checkout", "stable-unsigned");
        canary = CosignFixtures.pushImage(registry, "shop/checkout", "canary");
        cases = SignedCases.push(registry, "shop/checkout", "stable", release);
    }

    @BeforeEach
    void setUp() {
        db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:signed-" + UUID.randomUUID() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        db.setUser("sa");
        Flyway.configure().dataSource(db).locations("classpath:db/migration").load().migrate();
        store = new RollbackStore(db);
    }

    private String repo() {
        return SignatureTesting.repository(canary);
    }

    /** Every strategy counted, so a refusal can show that none was even asked. */
    private Strategy counted(Strategy s) {
        AtomicInteger n = calls.computeIfAbsent(s.kind().wireName(), k -> new AtomicInteger());
        return new Strategy() {
            @Override
            public io.canaryjudge.event.TargetKind kind() {
                return s.kind();
            }

            @Override
            public RollbackOutcome rollBack(RollbackRequest request) {
                n.incrementAndGet();
                return s.rollBack(request);
            }
        };
    }

    private Rollbacks rollbacks(Map<String, String> signatureProperties) throws Exception {
        Signatures signatures = SignatureTesting.signatures(registry, dir, Map.of("release", release),
            signatureProperties, new SimpleMeterRegistry());
        RollbackConfig config = Configs.rollback(Map.of("canary.rollback.enabled", "true",
            "canary.rollback.namespaces", "shop", "canary.rollback.retries", "1",
            "canary.rollback.gitops.repository", dir.resolve("absent.git").toUri().toString(),
            "canary.rollback.gitops.work-dir", dir.resolve("work").toString()));
        List<Strategy> strategies = List.of(counted(new DeploymentRollback(client, JSON)),
            counted(new ArgoRolloutRollback(client, JSON)),
            counted(new GitOpsRollback(config.gitops(), new Retry(1, Duration.ofMillis(10)), Clock.systemUTC())));
        return new Rollbacks(config, store, strategies, (a, s) -> { }, id -> Optional.ofNullable(analyses.get(id)),
            JSON, Clock.systemUTC(), "signed-test",
            (ns, repository, digest) -> signatures.check(ns, repository, digest, SignatureCheck.Purpose.ROLLBACK));
    }

    private AnalysisRecord abort(String kind, ImageReference stable, String image) throws Exception {
        String id = UUID.randomUUID().toString();
        String event = """
                {"id":"evt-%s","type":"STARTED","deploymentId":"checkout-42","namespace":"shop","service":"checkout",
                 "template":"t","canary":{"digest":"%s","labels":{"track":"canary"}},
                 "stable":{"digest":"%s","labels":{"track":"stable"}},
                 "target":{"kind":"%s","name":"checkout","container":"app"},"startedAt":"2026-11-26T01:00:00Z"%s}
                """.formatted(id, canary.digest(), stable.digest(), kind,
                image == null ? "" : ",\"image\":\"" + image + "\"");
        AnalysisRecord a = AnalysisRecordBuilder.analysis().id(id).deploymentId("checkout-42").environment("prod")
            .template("t").canaryDigest(canary.digest()).stableDigest(stable.digest()).eventJson(event)
            .templateJson("{\"name\":\"t\"}").startedAt(Instant.parse("2026-11-26T01:00:00Z")).ended(Verdict.ABORT, AT)
            .score(0.0).reason("error-rate HIGH").verdictJson("{}").created(AT).publishedAt(AT).build();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO analysis (id, "
                + "event_id, deployment_id, namespace, service, template, canary_digest, stable_digest, event_json, "
                + "template_json, started_at, interval_ms, measurement_count, phase, verdict, created_at, updated_at, "
                + "completed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            OffsetDateTime at = OffsetDateTime.ofInstant(AT, ZoneOffset.UTC);
            Object[] v = {id, a.eventId(), "checkout-42", "shop", "checkout", "t", canary.digest(), stable.digest(),
                event, "{\"name\":\"t\"}", at, 60000L, 10, "COMPLETED", "ABORT", at, at, at};
            for (int i = 0; i < v.length; i++) {
                ps.setObject(i + 1, v[i]);
            }
            ps.executeUpdate();
        }
        analyses.put(id, a);
        return a;
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> kindsAndUnverifiedCases() {
        return java.util.stream.Stream.of("Deployment", "Rollout", "GitOps").flatMap(kind -> java.util.stream.Stream.of(
                SignedCases.Case.UNSIGNED, SignedCases.Case.OTHER_KEY, SignedCases.Case.TAMPERED,
                SignedCases.Case.WRONG_DIGEST).map(c -> org.junit.jupiter.params.provider.Arguments.of(kind, c)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @org.junit.jupiter.params.provider.MethodSource("kindsAndUnverifiedCases")
    void requiredRefusesEveryUnverifiedStableDigestForEveryTargetKind(String kind, SignedCases.Case c)
            throws Exception {
        ImageReference stable = cases.get(c);
        new Cluster(client).deployment("checkout", stable.toString(), canary.toString());
        Rollbacks r = rollbacks(Map.of("canary.signatures.mode", "required"));

        RollbackStatus s = r.rollBack(abort(kind, stable, repo())).orElseThrow();

        assertEquals(RollbackState.REFUSED, s.state(), s.reason());
        assertTrue(s.reason().contains("is not written back: its image signature was not verified"), s.reason());
        assertTrue(s.reason().contains(c == SignedCases.Case.UNSIGNED ? stable.signatureTag()
                : c == SignedCases.Case.WRONG_DIGEST ? "payload names digest" : "not verified"), s.reason());
        assertEquals(0, calls.get(kind).get(), "no " + kind + " strategy was asked to write anything");
        assertEquals(canary.toString(), new Cluster(client).deploymentImage("checkout"), "the canary still runs");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Rollout", "GitOps"})
    void requiredLetsASignedStableDigestThroughToEveryTargetKind(String kind) throws Exception {
        Rollbacks r = rollbacks(Map.of("canary.signatures.mode", "required"));

        RollbackStatus s = r.rollBack(abort(kind, cases.get(SignedCases.Case.SIGNED), repo())).orElseThrow();

        // this test has no Rollout and no config repository: the strategy itself answers, after the check passed
        assertTrue(calls.get(kind).get() >= 1, kind + " strategy asked (and retried): " + s.reason());
        assertTrue(!s.reason().contains("signature"), s.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Deployment", "Rollout", "GitOps"})
    void requiredWithoutAnImageRepositoryRefusesForEveryTargetKind(String kind) throws Exception {
        Rollbacks r = rollbacks(Map.of("canary.signatures.mode", "required"));

        RollbackStatus s = r.rollBack(abort(kind, signedStable, null)).orElseThrow();

        assertEquals(RollbackState.REFUSED, s.state(), s.reason());
        assertTrue(s.reason().contains("names no image repository"), s.reason());
        assertEquals(0, calls.get(kind).get());
    }

    @Test
    void requiredWritesASignedStableDigestBack() throws Exception {
        new Cluster(client).deployment("checkout", signedStable.toString(), canary.toString());
        Rollbacks r = rollbacks(Map.of("canary.signatures.mode", "required"));

        RollbackStatus s = r.rollBack(abort("Deployment", signedStable, repo())).orElseThrow();

        assertEquals(RollbackState.APPLIED, s.state(), s.reason());
        assertEquals(signedStable.toString(), new Cluster(client).deploymentImage("checkout"));
    }

    @Test
    void warnWritesAnUnsignedDigestAndSaysSo() throws Exception {
        new Cluster(client).deployment("checkout", unsignedStable.toString(), canary.toString());
        Rollbacks r = rollbacks(Map.of("canary.signatures.mode", "warn"));

        RollbackStatus s = r.rollBack(abort("Deployment", unsignedStable, repo())).orElseThrow();

        assertEquals(RollbackState.APPLIED, s.state(), s.reason());
        assertTrue(s.reason().contains("warning: stable digest signature not verified"), s.reason());
        assertEquals(unsignedStable.toString(), new Cluster(client).deploymentImage("checkout"));
    }

    @Test
    void aRegistryThatDoesNotAnswerFailsTheRollbackSoItIsRetried() throws Exception {
        new Cluster(client).deployment("checkout", signedStable.toString(), canary.toString());
        Rollbacks r = rollbacks(Map.of("canary.signatures.mode", "required",
            "canary.signatures.insecure-registries", "127.0.0.1:1", "canary.signatures.timeout", "1s"));

        RollbackStatus s = r.rollBack(abort("Deployment", signedStable, "127.0.0.1:1/shop/checkout")).orElseThrow();

        assertEquals(RollbackState.FAILED, s.state(), s.reason());
        assertEquals(0, calls.get("Deployment").get());
        assertEquals(canary.toString(), new Cluster(client).deploymentImage("checkout"));
    }
}
