package io.canaryjudge.rollback;

import static io.canaryjudge.rollback.Cluster.CANARY;
import static io.canaryjudge.rollback.Cluster.OLDER;
import static io.canaryjudge.rollback.Cluster.STABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.event.RollbackTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.command.AbstractCommandSupport;
import org.apache.sshd.server.command.Command;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.UploadPack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GitOps rollbacks pushed over real SSH, with credentials read from a Secret-like directory ({@code ssh-privatekey}
 * + {@code known_hosts}) exactly as mounted in the cluster. The server is Apache MINA sshd (already on the classpath
 * through JGit's SSH client) serving a bare repository with JGit's upload-pack and receive-pack, on 127.0.0.1 only,
 * accepting one public key for user {@code git} and refusing non-fast-forward updates (a protected branch).
 */
class GitOpsSshTest {
    private static final String FILE = "envs/prod/kustomization.yaml";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T01:30:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    Path served;
    Path bare;
    Path secret;
    KeyPair hostKey;
    SshServer server;
    String url;
    /** Every ref update the server accepted, to prove nothing was forced. */
    final List<ReceiveCommand.Type> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        served = tmp.resolve("served");
        bare = served.resolve("config.git");
        Git.init().setBare(true).setInitialBranch("main").setDirectory(bare.toFile()).call().close();
        try (Git git = Git.init().setInitialBranch("main").setDirectory(tmp.resolve("seed").toFile()).call()) {
            commit(git, FILE, kustomization(STABLE), "deploy checkout stable");
            commit(git, "envs/staging/kustomization.yaml", kustomization(STABLE), "staging");
            commit(git, FILE, kustomization(CANARY), "deploy checkout canary");
            git.push().setRemote(bare.toUri().toString()).setRefSpecs(new RefSpec("main:main")).call();
        }

        hostKey = ec();
        KeyPair clientKey = rsa();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) ->
                "git".equals(user) && KeyUtils.compareKeys(clientKey.getPublic(), key));
        server.setCommandFactory((channel, command) -> gitCommand(command));
        server.start();
        url = "ssh://git@127.0.0.1:" + server.getPort() + "/config.git";

        // the Secret as mounted: the private key in OpenSSH format (what ssh-keygen writes) and known_hosts
        secret = Files.createDirectories(tmp.resolve("secret"));
        ByteArrayOutputStream pem = new ByteArrayOutputStream();
        OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(clientKey, "canary-judge", null, pem);
        Files.write(secret.resolve("ssh-privatekey"), pem.toByteArray());
        Files.writeString(secret.resolve("known_hosts"), knownHost(hostKey), StandardCharsets.UTF_8);
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.stop(true);
        }
    }

    @Test
    void abortIsCommittedAndPushedOverSsh() throws Exception {
        String before = headOfBare();

        RollbackOutcome o = strategy().rollBack(request());

        assertEquals(RollbackState.APPLIED, o.state(), o.reason());
        assertEquals("registry.example.com/shop/checkout", o.artifact());
        try (Repository repo = open(bare); Git served = new Git(repo)) {
            RevCommit head = served.log().add(repo.resolve("refs/heads/main")).setMaxCount(1).call().iterator().next();
            assertTrue(head.getFullMessage().startsWith("Roll back checkout in prod to sha256:bbbbbbbbbbbb…"),
                    head.getFullMessage());
            assertEquals(before, head.getParent(0).getName(), "one commit on top of what was there");
            assertEquals(kustomization(STABLE), blob(repo, head, FILE), "the stable digest landed on the server");
            assertTrue(o.detail().contains(head.getName()), o.detail());
        }
        assertEquals(List.of(ReceiveCommand.Type.UPDATE), received, "one fast-forward update over SSH");
    }

    @Test
    void wrongHostKeyInKnownHostsIsRefused() throws Exception {
        Files.writeString(secret.resolve("known_hosts"), knownHost(ec()), StandardCharsets.UTF_8);
        String before = headOfBare();

        RuntimeException e = assertThrows(RuntimeException.class, () -> strategy().rollBack(request()));

        assertTrue(e.getMessage().startsWith("git: ") && e.getMessage().contains("Server key did not validate"),
                e.getMessage());
        assertEquals(before, headOfBare(), "nothing pushed to a host whose key does not match");
        assertEquals(List.of(), received);
        assertTrue(Files.notExists(tmp.resolve("work").resolve(FILE)), "not even cloned from it");
    }

    @Test
    void unknownHostIsRefused() throws Exception {
        Files.writeString(secret.resolve("known_hosts"), "", StandardCharsets.UTF_8);
        String before = headOfBare();

        RuntimeException e = assertThrows(RuntimeException.class, () -> strategy().rollBack(request()));

        assertTrue(e.getMessage().startsWith("git: ") && e.getMessage().contains("Server key did not validate"),
                e.getMessage());
        assertEquals(before, headOfBare());
        assertEquals(List.of(), received);
        assertEquals("", Files.readString(secret.resolve("known_hosts")), "the unknown host key is not learned");
    }

    @Test
    void concurrentPushOverSshIsFetchedAndRebasedNeverForced() throws Exception {
        GitOpsRollback strategy = strategy();
        List<String> pushedByOthers = new ArrayList<>();
        strategy.beforePush = () -> {
            if (pushedByOthers.isEmpty()) {
                // another client with the same deploy key pushes first, over SSH too
                try (GitAccess access = GitAccess.open(secret, Duration.ofSeconds(30));
                     Git other = access.apply(Git.cloneRepository().setURI(url).setBranch("main")
                             .setDirectory(tmp.resolve("other").toFile())).call()) {
                    commit(other, "envs/staging/kustomization.yaml", kustomization(CANARY), "someone deploys staging");
                    access.apply(other.push()).call();
                    pushedByOthers.add(other.getRepository().resolve("HEAD").name());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };

        RollbackOutcome o = strategy.rollBack(request());

        assertEquals(RollbackState.APPLIED, o.state(), o.reason());
        try (Repository repo = open(bare); Git served = new Git(repo)) {
            List<RevCommit> log = new ArrayList<>();
            served.log().add(repo.resolve("refs/heads/main")).setMaxCount(2).call().forEach(log::add);
            assertTrue(log.get(0).getFullMessage().startsWith("Roll back checkout"), log.get(0).getFullMessage());
            assertEquals(pushedByOthers.get(0), log.get(1).getName(), "our commit sits on top of theirs");
            assertEquals(kustomization(STABLE), blob(repo, log.get(0), FILE));
            assertEquals(kustomization(CANARY), blob(repo, log.get(0), "envs/staging/kustomization.yaml"),
                    "their change kept");
        }
        assertEquals(List.of(ReceiveCommand.Type.UPDATE, ReceiveCommand.Type.UPDATE), received,
                "theirs, then ours: both fast-forwards, nothing forced");
    }

    private GitOpsRollback strategy() {
        Map<String, String> p = new HashMap<>(Map.of(
                "canary.rollback.gitops.repository", url,
                "canary.rollback.gitops.work-dir", tmp.resolve("work").toString(),
                "canary.rollback.gitops.credentials-dir", secret.toString(),
                "canary.rollback.gitops.timeout", "20s"));
        return new GitOpsRollback(Configs.rollback(p).gitops(), new Retry(1, Duration.ofMillis(10)), CLOCK);
    }

    private static RollbackRequest request() {
        return new RollbackRequest("an-1", "shop", "checkout", "prod", new RollbackTarget("GitOps", "checkout", null),
                CANARY, STABLE, false, "https://judge.example.com/api/v1/analyses/an-1");
    }

    /** {@code git-upload-pack '/config.git'} or {@code git-receive-pack '/config.git'}, served by JGit. */
    private Command gitCommand(String command) {
        String[] parts = command.trim().split("\\s+", 2);
        String verb = parts[0];
        String path = parts.length > 1 ? parts[1].replace("'", "").replace("\"", "") : "";
        Path dir = served.resolve(path.replaceFirst("^/+", "")).normalize();
        if (!dir.startsWith(served) || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no repository " + path);
        }
        return new AbstractCommandSupport(command, null) {
            @Override
            public void run() {
                try (Repository repo = open(dir)) {
                    String protocol = getEnvironment().getEnv().get("GIT_PROTOCOL");
                    if ("git-upload-pack".equals(verb)) {
                        UploadPack up = new UploadPack(repo);
                        if (protocol != null) {
                            up.setExtraParameters(Collections.singleton(protocol));
                        }
                        up.upload(getInputStream(), getOutputStream(), getErrorStream());
                    } else if ("git-receive-pack".equals(verb)) {
                        ReceivePack rp = new ReceivePack(repo);
                        rp.setAllowNonFastForwards(false);
                        rp.setAllowDeletes(false);
                        rp.setPostReceiveHook((pack, commands) -> commands.forEach(c -> received.add(c.getType())));
                        rp.receive(getInputStream(), getOutputStream(), getErrorStream());
                    } else {
                        onExit(127, "unknown command " + verb);
                        return;
                    }
                    onExit(0);
                } catch (Exception e) {
                    onExit(1, e.toString());
                }
            }
        };
    }

    private String knownHost(KeyPair key) {
        return "[127.0.0.1]:" + server.getPort() + " " + PublicKeyEntry.toString(key.getPublic()) + "\n";
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(3072);
        return g.generateKeyPair();
    }

    private static Repository open(Path gitDir) throws IOException {
        return new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setMustExist(true).build();
    }

    private String headOfBare() throws IOException {
        try (Repository repo = open(bare)) {
            return repo.resolve("refs/heads/main").name();
        }
    }

    private static String blob(Repository repo, RevCommit commit, String file) throws IOException {
        try (org.eclipse.jgit.treewalk.TreeWalk walk = org.eclipse.jgit.treewalk.TreeWalk.forPath(repo, file, commit.getTree())) {
            return new String(repo.open(walk.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
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

    private static void commit(Git git, String file, String text, String message) throws Exception {
        Path p = git.getRepository().getWorkTree().toPath().resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        git.add().addFilepattern(file).call();
        git.commit().setMessage(message).setAuthor("dev", "dev@example.com").setCommitter("dev", "dev@example.com").call();
    }
}
