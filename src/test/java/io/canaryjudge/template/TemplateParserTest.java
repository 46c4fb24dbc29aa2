package io.canaryjudge.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class TemplateParserTest {
    private static final String VALID = """
            name: minimal
            interval: 1m
            count: 5
            metrics:
              - name: errors
                kind: counts
                events: sum(increase(errors_total{ {{cohort}} }[{{step}}]))
                exposure: sum(increase(requests_total{ {{cohort}} }[{{step}}]))
                critical: true
            """;

    private static AnalysisTemplate parse(String yaml) {
        return TemplateParser.parse("t.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    private static String rejected(String yaml) {
        return assertThrows(TemplateException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void validTemplateHasDefaults() {
        AnalysisTemplate t = parse(VALID);
        assertEquals(Duration.ofMinutes(1), t.interval());
        assertEquals(Duration.ofMinutes(1), t.step());
        assertEquals(95, t.pass());
        assertEquals(75, t.marginal());
        assertTrue(t.metrics().get(0).isCritical());
        assertTrue(t.metrics().get(0).isMustHaveData());
    }

    @Test
    void unknownFieldIsRejectedWithLineAndField() {
        String msg = rejected(VALID + "    treshold: 3\n");
        assertTrue(msg.startsWith("t.yaml:11: metrics[0].treshold: "), msg);
    }

    @Test
    void queryWithoutCohortIsRejected() {
        String msg = rejected(VALID.replace("errors_total{ {{cohort}} }", "errors_total"));
        assertTrue(msg.contains("metrics[0] (errors).events: must use {{cohort}}"), msg);
    }

    @Test
    void unknownPlaceholderIsRejected() {
        String msg = rejected(VALID.replace("[{{step}}]))\n    exposure", "[{{window}}]))\n    exposure"));
        assertTrue(msg.contains("unknown placeholder {{window}}"), msg);
    }

    @Test
    void badDurationIsRejected() {
        assertTrue(rejected(VALID.replace("interval: 1m", "interval: one minute")).contains("interval: bad duration"));
    }

    @Test
    void countsMetricNeedsExposure() {
        String msg = rejected(VALID.replace("    exposure: sum(increase(requests_total{ {{cohort}} }[{{step}}]))\n", ""));
        assertTrue(msg.contains("exposure: required"), msg);
    }

    @Test
    void shippedTemplatesAreAllValid() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("analysis-templates"))) {
            List<Path> yamls = files.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml")).toList();
            assertTrue(yamls.size() >= 1);
            for (Path p : yamls) {
                AnalysisTemplate t = TemplateParser.parse(p.getFileName().toString(), Files.readAllBytes(p));
                assertEquals(p.getFileName().toString(), t.name() + ".yaml", "file name matches template name");
            }
        }
    }
}
