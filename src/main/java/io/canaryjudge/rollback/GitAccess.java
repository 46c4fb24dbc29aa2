package io.canaryjudge.rollback;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jgit.api.TransportCommand;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.transport.sshd.JGitKeyCache;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * Credentials and timeouts of every git call, from a mounted Secret read at each use (so a rotated Secret is
 * picked up): {@code username} + {@code password} for HTTPS (a token works as password), or {@code ssh-privatekey}
 * + {@code known_hosts} for SSH, host keys checked strictly. Without files, no credentials (file:// or public).
 */
final class GitAccess implements AutoCloseable {
    private final UsernamePasswordCredentialsProvider credentials;
    private final SshdSessionFactory ssh;
    private final int timeoutSeconds;

    private GitAccess(UsernamePasswordCredentialsProvider credentials, SshdSessionFactory ssh, Duration timeout) {
        this.credentials = credentials;
        this.ssh = ssh;
        this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
    }

    static GitAccess open(Path dir, Duration timeout) throws IOException {
        UsernamePasswordCredentialsProvider credentials = null;
        Path user = dir.resolve("username");
        Path password = dir.resolve("password");
        if (Files.isReadable(password)) {
            credentials = new UsernamePasswordCredentialsProvider(
                    Files.isReadable(user) ? read(user) : "x-access-token", read(password));
        }
        SshdSessionFactory ssh = null;
        Path key = dir.resolve("ssh-privatekey");
        if (Files.isReadable(key)) {
            Path knownHosts = dir.resolve("known_hosts");
            if (!Files.isReadable(knownHosts)) {
                throw new IOException(knownHosts + " is missing: SSH host keys are always checked");
            }
            ssh = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(dir.toFile())
                    .setSshDirectory(dir.toFile())
                    .setDefaultIdentities(d -> List.of(key))
                    .setDefaultKnownHostsFiles(d -> List.of(knownHosts))
                    .setPreferredAuthentications("publickey")
                    .build(new JGitKeyCache());
        }
        return new GitAccess(credentials, ssh, timeout);
    }

    <C extends TransportCommand<C, ?>> C apply(C command) {
        command.setTimeout(timeoutSeconds);
        if (credentials != null) {
            command.setCredentialsProvider(credentials);
        }
        if (ssh != null) {
            command.setTransportConfigCallback(t -> {
                if (t instanceof SshTransport s) {
                    s.setSshSessionFactory(ssh);
                }
            });
        }
        return command;
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8).strip();
    }

    @Override
    public void close() {
        if (ssh != null) {
            ssh.close();
        }
    }
}
