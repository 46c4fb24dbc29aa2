package io.canaryjudge.rollback;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import java.util.TimeZone;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.RebaseCommand;
import org.eclipse.jgit.api.RebaseResult;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.jboss.logging.Logger;

/**
 * One rollback commit to the GitOps config repository, made in the service's working clone: sync the clone to the
 * remote head, edit the file, commit, push — never forced; a push rejected because someone pushed first is followed by
 * fetch, rebase and another push, and a conflicting rebase by the edit made again on the new head. The caller
 * ({@link GitOpsRollback}) holds the clone's lock for the whole call.
 */
final class GitOpsCommit {
    private static final Logger LOG = Logger.getLogger(GitOpsCommit.class);

    private final RollbackConfig.GitOps config;
    private final Retry retry;
    private final Clock clock;
    private final Runnable beforePush;
    /** Image repository named by the last edit. */
    private String lastArtifact;

    GitOpsCommit(RollbackConfig.GitOps config, Retry retry, Clock clock, Runnable beforePush) {
        this.config = config;
        this.retry = retry;
        this.clock = clock;
        this.beforePush = beforePush;
    }

    /** Commits the stable digest into {@code file} (already checked to stay inside the repository) and pushes. */
    RollbackOutcome commit(RollbackRequest r, String file) {
        try (GitAccess access = GitAccess.open(config.credentialsDir(), config.timeout());
             Git git = retry.call("git fetch", () -> sync(access))) {
            return commitAndPush(git, access, r, file);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new GitFault(e);
        }
    }

    private RollbackOutcome commitAndPush(Git git, GitAccess access, RollbackRequest r, String file) throws Exception {
        Optional<RollbackOutcome> edited = edit(git, r, file);
        if (edited.isPresent()) {
            return edited.get();
        }
        String repo = config.repository().orElseThrow();
        for (int attempt = 1; ; attempt++) {
            beforePush.run();
            Iterable<PushResult> results = retry.call("git push", () -> access.apply(git.push().setRemote("origin")
                    .setRefSpecs(new RefSpec("refs/heads/" + config.branch() + ":refs/heads/" + config.branch()))
                    .setForce(false)).call());
            RemoteRefUpdate update = results.iterator().next().getRemoteUpdate("refs/heads/" + config.branch());
            RemoteRefUpdate.Status status = update.getStatus();
            String head = git.getRepository().resolve("HEAD").name();
            if (status == RemoteRefUpdate.Status.OK || status == RemoteRefUpdate.Status.UP_TO_DATE) {
                return RollbackOutcome.applied("committed and pushed " + head.substring(0, 12),
                        "commit " + head + " to " + repo + " " + config.branch() + ": " + file + " "
                                + Images.shortly(r.canaryDigest()) + " -> " + Images.shortly(r.stableDigest()),
                        lastArtifact);
            }
            boolean raced = status == RemoteRefUpdate.Status.REJECTED_NONFASTFORWARD
                    || status == RemoteRefUpdate.Status.REJECTED_REMOTE_CHANGED
                    || status == RemoteRefUpdate.Status.REJECTED_OTHER_REASON;
            if (!raced || attempt >= config.pushAttempts()) {
                return RollbackOutcome.failed("push to " + repo + " " + config.branch() + " rejected " + attempt + " time(s): "
                        + status + (update.getMessage() == null ? "" : " " + update.getMessage()));
            }
            LOG.infof("analysis=%s step=push attempt=%d status=%s action=fetch-rebase", r.analysisId(), attempt, status);
            retry.call("git fetch", () -> access.apply(git.fetch().setRemote("origin")).call());
            RebaseResult rebase = git.rebase().setUpstream("origin/" + config.branch()).call();
            if (!rebase.getStatus().isSuccessful()) {
                git.rebase().setOperation(RebaseCommand.Operation.ABORT).call();
                reset(git);
                Optional<RollbackOutcome> again = edit(git, r, file);
                if (again.isPresent()) {
                    return again.get();
                }
            } else if (Objects.equals(git.getRepository().resolve("HEAD"), origin(git))) {
                // our change was already upstream: the rebase dropped our commit as empty
                return RollbackOutcome.applied("already at the stable digest, nothing changed",
                        file + " at " + origin(git).name(), lastArtifact);
            }
        }
    }

    /** Makes the edit and commits it; or returns why not (refused, already done, dry run). */
    private Optional<RollbackOutcome> edit(Git git, RollbackRequest r, String file) throws Exception {
        Path path = git.getRepository().getWorkTree().toPath().resolve(file);
        if (!Files.isRegularFile(path)) {
            return Optional.of(RollbackOutcome.refused(file + " does not exist in " + config.repository().orElseThrow()
                    + " " + config.branch()));
        }
        String text = Files.readString(path, StandardCharsets.UTF_8);
        DigestEdit.Result e = DigestEdit.apply(text, r.canaryDigest(), r.stableDigest(), config.yamlPath(), config.image());
        lastArtifact = e.artifact();
        switch (e.kind()) {
            case REFUSED:
                return Optional.of(RollbackOutcome.refused(file + ": " + e.reason()));
            case ALREADY:
                return Optional.of(RollbackOutcome.applied("already at the stable digest, nothing changed",
                        file + " at " + origin(git).name(), e.artifact()));
            default:
                break;
        }
        if (!ranBefore(git.getRepository(), file, r.stableDigest())) {
            return Optional.of(RollbackOutcome.refused(file + " never held the stable digest " + Images.shortly(r.stableDigest())
                    + " in its last " + config.historyDepth() + " commits: refusing to deploy a digest that was not deployed before"));
        }
        String detail = "commit to " + config.repository().orElseThrow() + " " + config.branch() + ": " + file + " "
                + e.reason();
        if (r.dryRun()) {
            return Optional.of(RollbackOutcome.dryRun(detail, e.artifact()));
        }
        Files.writeString(path, e.text(), StandardCharsets.UTF_8);
        git.add().addFilepattern(file).call();
        PersonIdent who = new PersonIdent(config.authorName(), config.authorEmail(), Date.from(clock.instant()),
                TimeZone.getTimeZone(ZoneOffset.UTC));
        git.commit().setAuthor(who).setCommitter(who).setMessage(message(r, file)).call();
        return Optional.empty();
    }

    private String message(RollbackRequest r, String file) {
        return "Roll back " + r.service() + " in " + Objects.toString(r.environment(), r.namespace()) + " to "
                + Images.shortly(r.stableDigest()) + " (canary-judge ABORT)\n\n"
                + "Analysis " + r.analysisId() + " judged canary " + r.canaryDigest() + " ABORT;\n"
                + "this puts the stable digest " + r.stableDigest() + " back in " + file + ".\n\n"
                + "Verdict: " + (r.verdictUrl() == null ? "analysis " + r.analysisId() : r.verdictUrl()) + "\n"
                + "Canary-Judge-Analysis: " + r.analysisId() + "\n";
    }

    /** The stable digest must have been deployed from this file before (it is in the file's recent history). */
    private boolean ranBefore(Repository repo, String file, String digest) throws Exception {
        try (Git git = new Git(repo)) {
            for (RevCommit c : git.log().add(origin(git)).addPath(file).setMaxCount(config.historyDepth()).call()) {
                try (TreeWalk walk = TreeWalk.forPath(repo, file, c.getTree())) {
                    if (walk != null && new String(repo.open(walk.getObjectId(0)).getBytes(), StandardCharsets.UTF_8)
                            .contains(digest)) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    /** A clean working clone at the remote head: cloned on first use, fetched and reset afterwards. */
    private Git sync(GitAccess access) throws Exception {
        Path dir = config.workDir();
        String url = config.repository().orElseThrow();
        if (Files.isDirectory(dir.resolve(".git"))) {
            Git git = Git.open(dir.toFile());
            String configured = git.getRepository().getConfig().getString("remote", "origin", "url");
            if (url.equals(configured)) {
                try {
                    access.apply(git.fetch().setRemote("origin")).call();
                    reset(git);
                    return git;
                } catch (Exception e) {
                    git.close();
                    throw e;
                }
            }
            git.close();
        }
        delete(dir);
        Git git = access.apply(Git.cloneRepository().setURI(url).setBranch(config.branch()).setDirectory(dir.toFile()))
                .call();
        reset(git);
        return git;
    }

    private void reset(Git git) throws Exception {
        ObjectId origin = origin(git);
        if (origin == null) {
            throw new IOException("branch " + config.branch() + " not found in " + config.repository().orElseThrow());
        }
        git.checkout().setName(config.branch()).call();
        git.reset().setMode(ResetCommand.ResetType.HARD).setRef(origin.name()).call();
        git.clean().setCleanDirectories(true).setForce(true).call();
    }

    private ObjectId origin(Git git) throws IOException {
        return git.getRepository().resolve("refs/remotes/origin/" + config.branch());
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A git operation kept failing (after retries); the rollback is FAILED with this message. */
    static final class GitFault extends RuntimeException {
        GitFault(Exception cause) {
            super("git: " + cause.getMessage(), cause);
        }
    }
}
