package io.canaryjudge.rollback;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Automatic rollback on ABORT: what is allowed, how it is retried, and where GitOps commits go. */
@ConfigMapping(prefix = "canary.rollback")
public interface RollbackConfig {
    /**
     * Default for templates whose {@code rollback.enabled} is not set (env CANARY_ROLLBACK_ENABLED). Off: nothing
     * is ever changed unless an operator turned it on here or in a template.
     */
    @WithDefault("false")
    boolean enabled();

    /** Default for templates whose {@code rollback.dryRun} is not set: check everything, change nothing. */
    @WithDefault("false")
    boolean dryRun();

    /**
     * Namespaces rollbacks may act in (env CANARY_ROLLBACK_NAMESPACES, comma-separated); {@code *} allows every
     * namespace. Empty (the default) allows none: an enabled rollback is then REFUSED and says why.
     */
    Optional<List<String>> namespaces();

    /**
     * How long a claim protects a rollback in progress. A claim older than this (its replica died mid-way) is
     * taken over by the recovery scan; keep it above the worst-case duration of one attempt with retries.
     */
    @WithDefault("5m")
    Duration lease();

    /** How often the recovery scan looks for ABORT verdicts without a rollback, or with an expired claim. */
    @WithDefault("1m")
    Duration recoveryInterval();

    /** How far back (from the verdict) the recovery scan still rolls back; older ABORTs are left alone. */
    @WithDefault("1h")
    Duration recoveryWindow();

    /**
     * A FAILED rollback is tried again by the recovery scan, after this backoff doubled per attempt (capped at 10
     * minutes), as long as its verdict is younger than {@link #recoveryWindow()}: a flaky API server or git host must
     * not leave a bad canary running (env CANARY_ROLLBACK_FAILED_RETRY_BACKOFF).
     */
    @WithDefault("30s")
    Duration failedRetryBackoff();

    /** Threads executing rollbacks (Kubernetes and git calls), shared by all analyses. */
    @WithDefault("2")
    int threads();

    /** Attempts of one Kubernetes or git operation after a timeout, a connection failure or a 5xx answer. */
    @WithDefault("3")
    int retries();

    /** Backoff before the first retry; doubled each time. */
    @WithDefault("1s")
    Duration backoff();

    /**
     * Base URL of this service as users reach it (env CANARY_ROLLBACK_VERDICT_BASE_URL); GitOps commit messages
     * and rollback events link {@code <base>/api/v1/analyses/<id>}. Without it they name the analysis id only.
     */
    Optional<String> verdictBaseUrl();

    /** The GitOps strategy: a commit of the stable digest to a config repository. */
    GitOps gitops();

    /** Where and how GitOps rollbacks commit. */
    interface GitOps {
        /** Config repository URL, HTTPS, SSH or file (env CANARY_ROLLBACK_GITOPS_REPOSITORY). Required for GitOps. */
        Optional<String> repository();

        /** Branch that is committed to (and never force-pushed). */
        @WithDefault("main")
        String branch();

        /** File holding the digest; {@code {environment}}, {@code {namespace}} and {@code {service}} are filled in. */
        @WithDefault("envs/{environment}/kustomization.yaml")
        String file();

        /**
         * Dotted path of the digest inside {@code file} (e.g. {@code image.digest} in Helm values). Unset: the file
         * is a kustomization and the {@code images:} entry whose {@code digest} is the canary digest is changed.
         */
        Optional<String> yamlPath();

        /** Restricts the kustomization {@code images:} entry to this {@code name} (unset: any entry with the canary digest). */
        Optional<String> image();

        /**
         * Directory of the mounted Secret with git credentials: {@code username} + {@code password} (HTTPS, a token
         * as password works), or {@code ssh-privatekey} + {@code known_hosts} (SSH). Missing files: no credentials.
         */
        @WithDefault("/var/run/secrets/canary-judge/git")
        Path credentialsDir();

        /** Local working clone (reused between rollbacks; must be writable). */
        @WithDefault("${java.io.tmpdir}/canary-judge-gitops")
        Path workDir();

        /** Commit author name. */
        @WithDefault("canary-judge")
        String authorName();

        /** Commit author e-mail. */
        @WithDefault("canary-judge@localhost")
        String authorEmail();

        /** Timeout of one fetch, clone or push. */
        @WithDefault("30s")
        Duration timeout();

        /** Pushes rejected as non-fast-forward are retried this often after fetch and rebase (never forced). */
        @WithDefault("5")
        int pushAttempts();

        /** Commits of the file searched for the stable digest (it must have been deployed before). */
        @WithDefault("500")
        int historyDepth();
    }
}
