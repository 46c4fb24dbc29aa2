package io.canaryjudge.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateRepositoryTest {
    private static final String TEMPLATE = """
            name: hot
            interval: 1m
            count: %d
            metrics:
              - name: errors
                kind: counts
                events: sum(increase(errors_total{ {{cohort}} }[{{step}}]))
                exposure: sum(increase(requests_total{ {{cohort}} }[{{step}}]))
                approximateCounts: true
                critical: true
            """;

    @TempDir
    Path dir;

    private int tick;

    private void write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        // distinct modification times, as successive edits have
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(++tick)));
    }

    @Test
    void validEditAppliesInvalidEditKeepsLastGoodVersionAndIsReported() throws IOException {
        write("hot.yaml", TEMPLATE.formatted(5));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TemplateRepository repo = new TemplateRepository(List.of(dir), Duration.ZERO, registry);
        assertEquals(5, repo.find("hot").orElseThrow().count());
        assertEquals(0.0, registry.get("canary.templates.invalid").gauge().value());

        write("hot.yaml", TEMPLATE.formatted(7));
        repo.reload();
        assertEquals(7, repo.find("hot").orElseThrow().count(), "a valid change applies");

        write("hot.yaml", TEMPLATE.formatted(7).replace("interval: 1m", "interval: soon"));
        repo.reload();
        assertEquals(7, repo.find("hot").orElseThrow().count(), "the last good version stays");
        assertEquals(1, repo.errors().size());
        assertTrue(repo.errors().get(0).startsWith("hot.yaml:2: interval: bad duration"), repo.errors().get(0));
        assertTrue(repo.errors().get(0).endsWith("(keeping the last good version)"));
        assertEquals(1.0, registry.get("canary.templates.invalid").gauge().value());

        write("hot.yaml", TEMPLATE.formatted(3));
        repo.reload();
        assertEquals(3, repo.find("hot").orElseThrow().count());
        assertEquals(List.of(), repo.errors());

        Files.delete(dir.resolve("hot.yaml"));
        repo.reload();
        assertTrue(repo.find("hot").isEmpty(), "a deleted file's template is gone");
    }

    @Test
    void invalidNewFileIsReportedAndOthersStillLoad() throws IOException {
        write("a.yaml", TEMPLATE.formatted(5));
        write("b.yaml", "name: broken\n");
        TemplateRepository repo = new TemplateRepository(List.of(dir), Duration.ZERO, new SimpleMeterRegistry());
        assertTrue(repo.find("hot").isPresent());
        assertEquals(1, repo.errors().size());
        assertTrue(repo.errors().get(0).startsWith("b.yaml"), repo.errors().get(0));
    }

    @Test
    void duplicateNamesAreReported() throws IOException {
        write("a.yaml", TEMPLATE.formatted(5));
        write("b.yaml", TEMPLATE.formatted(6));
        TemplateRepository repo = new TemplateRepository(List.of(dir), Duration.ZERO, new SimpleMeterRegistry());
        assertEquals(5, repo.find("hot").orElseThrow().count());
        assertTrue(repo.errors().get(0).contains("already used by a.yaml"), repo.errors().get(0));
    }
}
