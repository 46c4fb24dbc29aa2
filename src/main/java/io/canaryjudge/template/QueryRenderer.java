package io.canaryjudge.template;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;

/** Fills a template query's placeholders for one cohort. */
public final class QueryRenderer {
    private QueryRenderer() {
    }

    /**
     * @param labels the cohort's label matchers ({{cohort}})
     */
    public static String render(String query, Map<String, String> labels, String namespace, String service,
                                Duration interval, Duration step) {
        Matcher m = Placeholder.PATTERN.matcher(query);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Placeholder placeholder = Placeholder.named(m.group(1))
                    .orElseThrow(() -> new IllegalArgumentException("unknown placeholder " + m.group()));
            String value = switch (placeholder) {
                case COHORT -> PromQl.matchers(labels);
                case NAMESPACE -> PromQl.escape(namespace);
                case SERVICE -> PromQl.escape(service);
                case INTERVAL -> Durations.format(interval);
                case STEP -> Durations.format(step);
            };
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
