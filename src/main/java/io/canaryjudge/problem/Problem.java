package io.canaryjudge.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** RFC 9457 problem details, served as {@code application/problem+json}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, List<FieldError> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";
    /** Every problem type of the service is this prefix plus a short name, e.g. {@code bad-request}. */
    public static final String TYPE_PREFIX = "urn:canary-judge:problem:";

    /** A problem of type {@link #TYPE_PREFIX} + {@code name}. */
    public static Problem of(String name, String title, int status, String detail, List<FieldError> errors) {
        return new Problem(TYPE_PREFIX + name, title, status, detail, errors);
    }

    /** One offending field, as a JSON path into the request body. */
    public record FieldError(String field, String message) {
    }
}
