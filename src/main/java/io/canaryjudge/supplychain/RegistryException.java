package io.canaryjudge.supplychain;

/**
 * The registry could not be asked or did not answer usefully: the question of whether an image is signed stays
 * open. {@link Kind} says why; the message names the registry and never a credential.
 */
public final class RegistryException extends Exception {
    public enum Kind {
        /** connection refused, DNS, TLS or I/O failure */
        UNREACHABLE,
        /** no answer within the configured timeout */
        TIMEOUT,
        /** 401/403 after every authentication the client could offer */
        DENIED,
        /** 404 for a blob or manifest that another document names */
        NOT_FOUND,
        /** any other status, an oversized or malformed answer */
        BAD_RESPONSE
    }

    private final Kind kind;
    private final int status;

    public RegistryException(Kind kind, int status, String message) {
        super(message);
        this.kind = kind;
        this.status = status;
    }

    public RegistryException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = 0;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, 0 when there was no answer. */
    public int status() {
        return status;
    }

    /** Why the registry could not settle the question, in the words of a verification result. */
    String inWords() {
        return switch (kind) {
            case TIMEOUT -> "registry timed out: " + getMessage();
            case UNREACHABLE -> "registry unreachable: " + getMessage();
            case DENIED -> "registry refused access: " + getMessage();
            case NOT_FOUND, BAD_RESPONSE -> "registry answered badly: " + getMessage();
        };
    }
}
