package io.canaryjudge.template;

/** A template file that cannot be used; the message names the file, line when known, and field. */
public final class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message);
    }
}
