package io.canaryjudge.rollback;

import static io.canaryjudge.rollback.Cluster.CANARY;
import static io.canaryjudge.rollback.Cluster.OLDER;
import static io.canaryjudge.rollback.Cluster.STABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.event.RollbackTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitOps rollbacks against a real bare repository pushed to over file://. */
class GitOpsRollbackTest {
    private static final String FILE = "envs/prod/kustomization.yaml";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T01:30:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    Path bare;
    String url;

    @BeforeEach
    void seed() throws Exception {
        bare = tmp.resolve("config.git");
        Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
        url = bare.toUri().toString();
        try (Git git = Git.init().setInitialBranch("main").setDirectory(tmp.resolve("seed").toFile()).call()) {
            commit(git, FILE, kustomization(STABLE), "deploy checkout stable");
            commit(git, "envs/staging/kustomization.yaml", kustomization(STABLE), "staging");
            commit(git, FILE, kustomization(CANARY), "deploy checkout canary");
            git.push().setRemote(url).setRefSpecs(new org.eclipse.jgit.transport.RefSpec("main:main")).call();
        }
    }

    private static String kustomization(String digest) {
        return """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - ../../base
                # checkout is deployed by digest only
                images:
                  - name: checkout
                    newName: registry.example.com/shop/checkout
                    digest: %s
                  - name: envoy
                    digest: %s
                """.formatted(digest, OLDER);
    }

    private GitOpsRollback strategy(Map<String, String> extra) {
        Map<String, String> p = new java.util.HashMap<>(Map.of(
                "canary.rollback.gitops.repository", url,
                "canary.rollback.gitops.work-dir", tmp.resolve("work").toString(),
                "canary.rollback.gitops.credentials-dir", tmp.resolve("no-secret").toString()));
        p.putAll(extra);
        RollbackConfig config = Configs.rollback(p);
        return new GitOpsRollback(config.gitops(), new Retry(1, Duration.ofMillis(10)), CLOCK);
    }

    private static RollbackRequest request(String environment, boolean dryRun) {
        return new RollbackRequest("an-1", "shop", "checkout", environment, new RollbackTarget("GitOps", "checkout", null),
                CANARY, STABLE, dryRun, "https://judge.example.com/api/v1/analyses/an-1");
    }

    @Test
    void abortCommitsTheStableDigestToTheEnvironmentsOverlayAndPushes() throws Exception {
        RollbackOutcome o = strategy(Map.of()).rollBack(request("prod", false));

        assertEquals(RollbackState.APPLIED, o.state(), o.reason());
        assertEquals("registry.example.com/shop/checkout", o.artifact());
        try (Git check = clone("check")) {
            String text = read(check, FILE);
            assertEquals(kustomization(STABLE), text, "only the digest changed, comments and layout kept");
            RevCommit head = check.log().setMaxCount(1).call().iterator().next();
            assertEquals("canary-judge", head.getAuthorIdent().getName());
            assertEquals(CLOCK.instant(), head.getAuthorIdent().getWhenAsInstant());
            assertTrue(head.getFullMessage().startsWith("Roll back checkout in prod to sha256:bbbbbbbbbbbb…"), head.getFullMessage());
            assertTrue(head.getFullMessage().contains("Verdict: https://judge.example.com/api/v1/analyses/an-1"));
            assertTrue(head.getFullMessage().contains("Canary-Judge-Analysis: an-1"));
            assertTrue(o.detail().contains(head.getName()), o.detail());
        }
    }

    @Test
    void concurrentPushIsFetchedAndRebasedNeverForced() throws Exception {
        GitOpsRollback strategy = strategy(Map.of());
        List<String> pushedByOthers = new ArrayList<>();
        strategy.beforePush = () -> {
            if (pushedByOthers.isEmpty()) {
                try (Git other = clone("other")) {
                    commit(other, "envs/staging/kustomization.yaml", kustomization(CANARY), "someone deploys staging");
                    other.push().call();
                    pushedByOthers.add(other.getRepository().resolve("HEAD").name());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };

        RollbackOutcome o = strategy.rollBack(request("prod", false));

        assertEquals(RollbackState.APPLIED, o.state(), o.reason());
        try (Git check = clone("check")) {
            List<RevCommit> log = new ArrayList<>();
            check.log().setMaxCount(2).call().forEach(log::add);
            assertTrue(log.get(0).getFullMessage().startsWith("Roll back checkout"));
            assertEquals(pushedByOthers.get(0), log.get(1).getName(), "our commit sits on top of theirs");
            assertEquals(kustomization(STABLE), read(check, FILE));
            assertEquals(kustomization(CANARY), read(check, "envs/staging/kustomization.yaml"), "their change kept");
        }
    }

    @Test
    void sameRollbackPushedByOthersFirstIsAppliedWithoutASecondCommit() throws Exception {
        GitOpsRollback strategy = strategy(Map.of());
        strategy.beforePush = () -> {
            try (Git other = clone("other-" + System.nanoTime())) {
                if (read(other, FILE).contains(CANARY)) {
                    commit(other, FILE, kustomization(STABLE), "manual rollback");
                    other.push().call();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };

        RollbackOutcome o = strategy.rollBack(request("prod", false));

        assertEquals(RollbackState.APPLIED, o.state(), o.reason());
        assertEquals("already at the stable digest, nothing changed", o.reason());
        try (Git check = clone("check")) {
            assertEquals("manual rollback", check.log().setMaxCount(1).call().iterator().next().getFullMessage());
        }
    }

    @Test
    void secondRunFindsTheStableDigestAndCommitsNothing() throws Exception {
        GitOpsRollback strategy = strategy(Map.of());
        strategy.rollBack(request("prod", false));
        String head = headOfBare();

        RollbackOutcome again = strategy.rollBack(request("prod", false));

        assertEquals(RollbackState.APPLIED, again.state());
        assertEquals("already at the stable digest, nothing changed", again.reason());
        assertEquals(head, headOfBare());
    }

    @Test
    void dryRunCommitsNothing() throws Exception {
        String head = headOfBare();

        RollbackOutcome o = strategy(Map.of()).rollBack(request("prod", true));

        assertEquals(RollbackState.DRY_RUN, o.state(), o.reason());
        assertTrue(o.detail().contains("images[name=checkout].digest: sha256:cccccccccccc… -> sha256:bbbbbbbbbbbb…"), o.detail());
        assertEquals(head, headOfBare());
    }

    @Test
    void stableDigestNeverCommittedBeforeIsRefused() throws Exception {
        RollbackRequest r = new RollbackRequest("an-2", "shop", "checkout", "prod", new RollbackTarget("GitOps", "checkout", null),
                CANARY, "sha256:" + "d".repeat(64), false, null);

        RollbackOutcome o = strategy(Map.of()).rollBack(r);

        assertEquals(RollbackState.REFUSED, o.state());
        assertTrue(o.reason().contains("never held the stable digest sha256:dddddddddddd…"), o.reason());
    }

    @Test
    void overlayWithoutTheCanaryDigestIsRefused() throws Exception {
        RollbackRequest r = new RollbackRequest("an-3", "shop", "checkout", "prod", new RollbackTarget("GitOps", "checkout", null),
                "sha256:" + "e".repeat(64), STABLE, false, null);

        RollbackOutcome o = strategy(Map.of("canary.rollback.gitops.image", "checkout")).rollBack(r);

        assertEquals(RollbackState.REFUSED, o.state());
        assertEquals(FILE + ": no images entry named checkout has the canary digest sha256:eeeeeeeeeeee…", o.reason());
    }

    @Test
    void eventWithoutEnvironmentIsRefused() {
        RollbackOutcome o = strategy(Map.of()).rollBack(request(null, false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertEquals("the event has no environment, needed for envs/{environment}/kustomization.yaml", o.reason());
    }

    @Test
    void missingOverlayIsRefused() {
        RollbackOutcome o = strategy(Map.of()).rollBack(request("qa", false));

        assertEquals(RollbackState.REFUSED, o.state());
        assertTrue(o.reason().startsWith("envs/qa/kustomization.yaml does not exist"), o.reason());
    }

    @Test
    void configuredFileAndYamlPathAreEdited() throws Exception {
        try (Git git = clone("values")) {
            commit(git, "charts/checkout/values-prod.yaml", "image:\n  repository: r/checkout\n  digest: " + STABLE + "\n", "stable");
            commit(git, "charts/checkout/values-prod.yaml", "image:\n  repository: r/checkout\n  digest: " + CANARY + "\n", "canary");
            git.push().call();
        }
        RollbackOutcome o = strategy(Map.of("canary.rollback.gitops.file", "charts/{service}/values-{environment}.yaml",
                "canary.rollback.gitops.yaml-path", "image.digest")).rollBack(request("prod", false));

        assertEquals(RollbackState.APPLIED, o.state(), o.reason());
        assertEquals("r/checkout", o.artifact());
        try (Git check = clone("check")) {
            assertEquals("image:\n  repository: r/checkout\n  digest: " + STABLE + "\n",
                    read(check, "charts/checkout/values-prod.yaml"));
        }
    }

    @Test
    void unreachableRepositoryFailsAfterRetries() {
        GitOpsRollback strategy = new GitOpsRollback(Configs.rollback(Map.of(
                "canary.rollback.gitops.repository", tmp.resolve("missing.git").toUri().toString(),
                "canary.rollback.gitops.work-dir", tmp.resolve("work").toString())).gitops(),
                new Retry(1, Duration.ofMillis(10)), CLOCK);

        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> strategy.rollBack(request("prod", false)));
        assertTrue(e.getMessage().startsWith("git: "), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("missing.git")));
    }

    private Git clone(String name) throws Exception {
        return Git.cloneRepository().setURI(url).setBranch("main").setDirectory(tmp.resolve(name).toFile()).call();
    }

    private String headOfBare() throws IOException {
        try (Git g = Git.open(bare.toFile())) {
            return g.getRepository().resolve("refs/heads/main").name();
        }
    }

    private static void commit(Git git, String file, String text, String message) throws Exception {
        Path p = git.getRepository().getWorkTree().toPath().resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        git.add().addFilepattern(file).call();
        git.commit().setMessage(message).setAuthor("dev", "dev@example.com").setCommitter("dev", "dev@example.com").call();
    }

    private static String read(Git git, String file) {
        try {
            return Files.readString(git.getRepository().getWorkTree().toPath().resolve(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
