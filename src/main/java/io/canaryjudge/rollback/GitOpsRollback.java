package io.canaryjudge.rollback;

import io.canaryjudge.event.TargetKind;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * Rolls back by committing the stable digest to the environment's overlay in a GitOps config repository, so the
 * GitOps controller and the cluster agree (no drift fight). This class refuses what must not be written (no
 * repository, no environment for the path, a path leaving the repository) and keeps one rollback at a time in the
 * working clone; the commit and the never-forced push are {@link GitOpsCommit}'s. It names no JGit type, so the service
 * creates it at start-up without loading JGit, whose signed jar the JVM verifies on first use (BENCHMARKS.md, start-up).
 */
@Singleton
final class GitOpsRollback implements Strategy {
    private final RollbackConfig.GitOps config;
    private final Retry retry;
    private final Clock clock;
    /** Test seam: runs before each push attempt (e.g. to make another clone push first). */
    Runnable beforePush = () -> { };

    /** Nothing is cloned or opened here: the repository is reached when a rollback runs. */
    @Inject
    GitOpsRollback(RollbackConfig config, Clock clock) {
        this(config.gitops(), new Retry(config.retries(), config.backoff()), clock);
    }

    GitOpsRollback(RollbackConfig.GitOps config, Retry retry, Clock clock) {
        this.config = config;
        this.retry = retry;
        this.clock = clock;
    }

    @Override
    public TargetKind kind() {
        return TargetKind.GITOPS;
    }

    @Override
    public RollbackOutcome rollBack(RollbackRequest r) {
        if (config.repository().isEmpty()) {
            return RollbackOutcome.refused("canary.rollback.gitops.repository is not set");
        }
        if (config.file().contains("{environment}") && r.environment() == null) {
            return RollbackOutcome.refused("the event has no environment, needed for " + config.file());
        }
        String file = config.file().replace("{environment}", Objects.toString(r.environment(), ""))
                .replace("{namespace}", r.namespace()).replace("{service}", r.service());
        if (file.startsWith("/") || Path.of(file).normalize().startsWith("..") || file.contains("/../")) {
            return RollbackOutcome.refused("file " + file + " leaves the repository");
        }
        // one working clone, one rollback at a time in it; replicas are kept apart by the claim in the store
        synchronized (this) {
            return new GitOpsCommit(config, retry, clock, beforePush).commit(r, file);
        }
    }
}
