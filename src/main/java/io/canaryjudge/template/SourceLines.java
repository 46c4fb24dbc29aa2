package io.canaryjudge.template;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Where a template's problems are reported: its file name and the line of each JSON pointer, so every rule
 * names the file, the line when known and the field the same way. Also the field checks several rules share
 * (durations, queries).
 */
record SourceLines(String source, Map<String, Integer> lines) {

    /** {@code source:line: field.path: message}; the line falls back to the nearest ancestor's, or is left out. */
    TemplateException error(String pointer, String message) {
        return new TemplateException(source + at(YamlLines.lineOf(lines, pointer)) + ": " + YamlLines.path(pointer)
                + ": " + message);
    }

    static String at(int line) {
        return line < 0 ? "" : ":" + line;
    }

    /** A positive duration ({@link Durations}), or an error at the pointer. */
    Duration duration(String pointer, String text) {
        try {
            Duration d = Durations.parse(text);
            if (d.isZero()) {
                throw new IllegalArgumentException("must be positive");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw error(pointer, e.getMessage());
        }
    }

    /** A query that is present, uses only known placeholders and selects by {@code {{cohort}}}. */
    void query(String pointer, String query) {
        if (query == null || query.isBlank()) {
            throw error(pointer, "required");
        }
        Matcher m = Placeholder.PATTERN.matcher(query);
        boolean cohort = false;
        while (m.find()) {
            Placeholder placeholder = Placeholder.named(m.group(1)).orElseThrow(() -> error(pointer,
                    "unknown placeholder {{" + m.group(1) + "}}, known: " + Placeholder.names()));
            cohort |= placeholder == Placeholder.COHORT;
        }
        if (!cohort) {
            // Kayenta #553: a query without the cohort selector reads the same series for canary and stable.
            throw error(pointer, "must use {{cohort}}, otherwise canary and stable read the same series");
        }
    }
}
