package io.canaryjudge.event;

import java.util.List;

/** A deployment event that cannot be accepted; {@link #violations()} names every offending field. */
public final class InvalidEventException extends RuntimeException {
    private final List<Violation> violations;

    public InvalidEventException(List<Violation> violations) {
        super(summary(violations));
        this.violations = List.copyOf(violations);
    }

    public InvalidEventException(String field, String message) {
        this(List.of(new Violation(field, message)));
    }

    public List<Violation> violations() {
        return violations;
    }

    private static String summary(List<Violation> violations) {
        StringBuilder sb = new StringBuilder();
        for (Violation v : violations) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(v.field()).append(": ").append(v.message());
        }
        return sb.toString();
    }

    /** One invalid field (JSON path such as {@code canary.digest}) and why. */
    public record Violation(String field, String message) {
    }
}
