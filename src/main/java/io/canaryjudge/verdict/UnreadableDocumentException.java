package io.canaryjudge.verdict;

/** A stored document that this version of the service cannot read: not JSON, a shape it does not know, a newer version. */
public class UnreadableDocumentException extends RuntimeException {
    public UnreadableDocumentException(String message, Throwable cause) {
        super(message, cause);
    }
}
