package io.canaryjudge.integrations.kayenta;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A canary execution id: the analysis id with the client's pass / marginal thresholds, so that any replica can
 * answer {@code GET /canary/{id}} with the client's classification and nothing besides the analysis is stored.
 */
record ExecutionId(String analysisId, double pass, double marginal) {
    private static final Pattern FORMAT = Pattern.compile("([0-9a-f-]{36})_p(\\d{1,3}(?:\\.\\d+)?)_m(\\d{1,3}(?:\\.\\d+)?)");

    static Optional<ExecutionId> parse(String text) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new ExecutionId(m.group(1), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))));
    }

    String text() {
        return analysisId + "_p" + number(pass) + "_m" + number(marginal);
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%s", d);
    }
}
