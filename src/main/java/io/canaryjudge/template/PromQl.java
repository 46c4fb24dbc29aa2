package io.canaryjudge.template;

import java.util.Map;
import java.util.StringJoiner;

/**
 * Renders template placeholders into PromQL. Label values are written as PromQL double-quoted string
 * literals with every special character escaped, so nothing in an event can change the query's structure.
 */
public final class PromQl {
    private PromQl() {
    }

    /** A PromQL string literal body: backslash, quote and line breaks escaped, other controls as \\uXXXX. */
    public static String escape(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** {@code name="value",name2="value2"}: the label matchers of a cohort (names are validated upstream). */
    public static String matchers(Map<String, String> labels) {
        StringJoiner joiner = new StringJoiner(",");
        labels.forEach((name, value) -> joiner.add(name + "=\"" + escape(value) + "\""));
        return joiner.toString();
    }
}
