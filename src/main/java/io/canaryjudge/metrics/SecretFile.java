package io.canaryjudge.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A credential kept in a file (a mounted Secret, a projected ServiceAccount token): read at first use and again when
 * 10 s have passed, so a rotated value is picked up without a restart; surrounding whitespace is trimmed. An
 * unreadable file fails the request that needs it, with the path (never the content) in the message.
 */
final class SecretFile {
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(10);
    private final Path path;
    private volatile String value;
    private volatile long readAt;

    SecretFile(Path path) {
        this.path = path;
    }

    String value() {
        long now = System.nanoTime();
        String v = value;
        if (v == null || now - readAt > REFRESH_NANOS) {
            try {
                v = Files.readString(path, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the credential file " + path, e);
            }
            value = v;
            readAt = now;
        }
        return v;
    }
}
