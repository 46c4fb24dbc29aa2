package io.canaryjudge.problem;

/**
 * A request that contradicts the state it acts on (a decision on a finished analysis, another canary under the
 * same integration id). The REST layer answers 409 with this problem type and title.
 */
public class ConflictException extends RuntimeException {
    private final String type;
    private final String title;

    public ConflictException(String type, String title, String message) {
        super(message);
        this.type = type;
        this.title = title;
    }

    /** The problem type's last segment, e.g. {@code conflict} or {@code integration-mismatch}. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }
}
