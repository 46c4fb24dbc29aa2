package io.canaryjudge.analysis;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A stored JSON tree read field by field the way Jackson read record components, so documents written before a
 * codec named their fields read the same: a missing or null field is absent (the caller's 0, false or null), a
 * number may be written as text ({@code "NaN"}, {@code "Infinity"}).
 */
final class StoredFields {
    private StoredFields() {
    }

    static boolean present(JsonNode n) {
        return !n.isMissingNode() && !n.isNull();
    }

    /** The field's text, or null when absent. */
    static String text(JsonNode n, String field) {
        return present(n.path(field)) ? n.path(field).asText() : null;
    }

    /** The field's enum constant by name, or null when absent; an unknown name is an error. */
    static <E extends Enum<E>> E constant(JsonNode n, String field, Class<E> type) {
        return present(n.path(field)) ? Enum.valueOf(type, n.path(field).asText()) : null;
    }

    /** An array of numbers, or null when absent. */
    static double[] doubles(JsonNode n) {
        if (!present(n)) {
            return null;
        }
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asDouble();
        }
        return out;
    }

    /** An array of integers, or null when absent. */
    static long[] longs(JsonNode n) {
        if (!present(n)) {
            return null;
        }
        long[] out = new long[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asLong();
        }
        return out;
    }
}
