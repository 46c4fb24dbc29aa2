package io.canaryjudge.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromQlTest {

    @Test
    void cohortRendersEscapedMatchers() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app", "checkout");
        labels.put("track", "canary");
        assertEquals("app=\"checkout\",track=\"canary\"", PromQl.matchers(labels));
    }

    @Test
    void quotesBackslashesAndNewlinesCannotEscapeTheString() {
        assertEquals("a\\\"} or vector(1) or up{x=\\\"", PromQl.escape("a\"} or vector(1) or up{x=\""));
        assertEquals("c:\\\\path\\\\", PromQl.escape("c:\\path\\"));
        assertEquals("line\\nbreak\\r\\t", PromQl.escape("line\nbreak\r\t"));
        assertEquals("bell\\u0007", PromQl.escape("bell\u0007"));
    }

    @Test
    void regexMatcherSyntaxInAValueStaysAnEqualityLiteral() {
        assertEquals("track=\"=~.*\"", PromQl.matchers(Map.of("track", "=~.*")));
        assertEquals("track=\"}\"", PromQl.matchers(Map.of("track", "}")));
    }

    @Test
    void everyPlaceholderIsRendered() {
        String q = QueryRenderer.render("sum(rate(x{ {{cohort}}, namespace=\"{{namespace}}\", svc=\"{{ service }}\" }[{{step}}])) "
                + "/ {{interval}}", Map.of("track", "ca\"nary"), "shop", "checkout", Duration.ofMinutes(5), Duration.ofSeconds(30));
        assertEquals("sum(rate(x{ track=\"ca\\\"nary\", namespace=\"shop\", svc=\"checkout\" }[30s])) / 300s", q);
    }

    @Test
    void tripleBracesRenderTheCohortInsideASelector() {
        assertEquals("up{track=\"canary\"}", QueryRenderer.render("up{{{cohort}}}", Map.of("track", "canary"), "n", "s",
                Duration.ofMinutes(1), Duration.ofMinutes(1)));
    }

    @Test
    void durationsParseAndFormat() {
        assertEquals(Duration.ofSeconds(90), Durations.parse("1m30s"));
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals("3600s", Durations.format(Duration.ofHours(1)));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
    }
}
