package io.canaryjudge.problem;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** The formats the service accepts everywhere, parsed in one place: RFC 3339 timestamps and DNS labels. */
public final class Inputs {

    /** A Kubernetes DNS-1123 label (names of namespaces, services, containers): at most 63 characters. */
    public static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    private Inputs() {
    }

    /**
     * An RFC 3339 timestamp with offset, e.g. 2026-11-26T01:00:00Z.
     *
     * @throws DateTimeParseException when it is not one
     */
    public static Instant rfc3339(String text) {
        return OffsetDateTime.parse(text).toInstant();
    }

    /** An optional RFC 3339 request value: null when absent or blank, else the instant or a 400 naming the field. */
    public static Instant time(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return rfc3339(text);
        } catch (DateTimeParseException e) {
            throw new InvalidInputException(field, field + " must be an RFC 3339 timestamp, e.g. 2026-11-26T01:00:00Z");
        }
    }

    /** True for a DNS-1123 label of at most 63 characters. */
    public static boolean isDnsLabel(String value) {
        return value != null && value.length() <= 63 && DNS_LABEL.matcher(value).matches();
    }
}
