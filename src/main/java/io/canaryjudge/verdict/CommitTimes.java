package io.canaryjudge.verdict;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.canaryjudge.problem.Inputs;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * The optional {@code commitTime} of a stored deployment event (DORA lead time): RFC 3339 text, or epoch seconds in
 * events stored by early versions. Read with a streaming parser that stops at the field, so storing an analysis or
 * back-filling the {@code commit_time} column does not build the whole event as a tree.
 */
public final class CommitTimes {
    private static final JsonFactory JSON = new JsonFactory();

    private CommitTimes() {
    }

    /** The event's top-level commitTime, or null when it has none or it cannot be read. */
    public static Instant fromEventJson(String eventJson) {
        if (eventJson == null || !eventJson.contains("\"commitTime\"")) {
            return null;
        }
        try (JsonParser p = JSON.createParser(eventJson)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (!"commitTime".equals(name)) {
                    p.skipChildren();
                    continue;
                }
                if (value == JsonToken.VALUE_STRING) {
                    return Inputs.rfc3339(p.getText());
                }
                if (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT) {
                    return Instant.ofEpochMilli(Math.round(p.getDoubleValue() * 1000));
                }
                return null;
            }
            return null;
        } catch (IOException | RuntimeException e) {
            // an unreadable commit time only leaves this deployment out of the lead time
            return null;
        }
    }
}
