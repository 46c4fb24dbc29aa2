package io.canaryjudge.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The optional {@code rollback:} section of a template. */
class RollbackPolicyParsingTest {
    private static final String BASE = """
            name: minimal
            interval: 1m
            count: 5
            metrics:
              - name: errors
                kind: counts
                events: sum(increase(errors_total{ {{cohort}} }[{{step}}]))
                exposure: sum(increase(requests_total{ {{cohort}} }[{{step}}]))
                approximateCounts: true
                critical: true
            """;

    private static AnalysisTemplate parse(String yaml) {
        return TemplateParser.parse("t.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withoutSectionTheServiceDefaultsApply() {
        assertNull(parse(BASE).rollback());
    }

    @Test
    void sectionIsRead() {
        AnalysisTemplate t = parse(BASE + "rollback:\n  enabled: true\n  dryRun: true\n");
        assertEquals(new RollbackPolicy(true, true), t.rollback());
    }

    @Test
    void missingFieldsStayUnsetForTheServiceDefault() {
        assertEquals(new RollbackPolicy(false, null), parse(BASE + "rollback:\n  enabled: false\n").rollback());
    }

    @Test
    void misspelledFieldIsRejectedWithLineAndField() {
        String msg = assertThrows(TemplateException.class, () -> parse(BASE + "rollback:\n  dryrun: true\n")).getMessage();
        assertTrue(msg.startsWith("t.yaml:12: rollback.dryrun: "), msg);
    }
}
