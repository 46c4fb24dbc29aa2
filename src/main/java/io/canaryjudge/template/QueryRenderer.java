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
        Matcher m = TemplateParser.PLACEHOLDER.matcher(query);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "cohort" -> PromQl.matchers(labels);
                case "namespace" -> PromQl.escape(namespace);
                case "service" -> PromQl.escape(service);
                case "interval" -> Durations.format(interval);
                case "step" -> Durations.format(step);
                default -> throw new IllegalArgumentException("unknown placeholder " + m.group());
            };
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
