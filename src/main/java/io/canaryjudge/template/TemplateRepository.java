package io.canaryjudge.template;

import io.canaryjudge.DaemonThreads;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Facade of the template feature: the analysis templates of {@code CANARY_TEMPLATES_DIR} (a comma-separated list
 * of directories), re-read every {@code canary.templates.reload-interval}. A valid change applies to analyses
 * started afterwards (running ones keep the template they started with); an invalid edit keeps the last good
 * version of that file and is reported in the log, the metric {@code canary_templates_invalid} and the health
 * check {@code templates}.
 */
@ApplicationScoped
@Startup
public class TemplateRepository {
    private static final Logger LOG = Logger.getLogger(TemplateRepository.class);

    private final List<Path> dirs;
    private final AtomicInteger invalid = new AtomicInteger();
    private final ScheduledExecutorService watcher;
    private volatile Map<String, AnalysisTemplate> templates = Map.of();
    private volatile List<String> errors = List.of();
    private Map<Path, AnalysisTemplate> lastGood = Map.of();
    private Map<Path, String> fingerprints = Map.of();

    TemplateRepository(@ConfigProperty(name = "canary.templates.dir", defaultValue = "analysis-templates") List<Path> dirs,
                       @ConfigProperty(name = "canary.templates.reload-interval", defaultValue = "5s") Duration reload,
                       MeterRegistry registry) {
        this.dirs = List.copyOf(dirs);
        registry.gauge("canary.templates.invalid", invalid);
        reload();
        watcher = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("canary-templates"));
        if (!reload.isZero()) {
            watcher.scheduleWithFixedDelay(this::reloadQuietly, reload.toMillis(), reload.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Parses an embedded sample template on a daemon thread, so that the classes of the YAML binding and the
     * schema validator are loaded and initialised before the first real load needs them (io.canaryjudge.Main
     * calls it before Quarkus boots). Touches no state of any repository; a failure only costs the head start.
     */
    public static void warmUpInBackground() {
        DaemonThreads.start("canary-templates-warm-up", () -> {
            try {
                TemplateParser.parse("warm-up.yaml", WARM_UP.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (RuntimeException | LinkageError e) {
                LOG.debugf("template parser warm-up failed: %s", e);
            }
        });
    }

    /** A small valid template using both metric kinds, for {@link #warmUpInBackground()}. */
    static final String WARM_UP = """
            name: warm-up
            interval: 1m
            count: 5
            mode: sequential
            sequential:
              alpha: 0.05
            metrics:
              - name: error-rate
                kind: counts
                events: sum(increase(http_requests_total{ {{cohort}}, code=~"5.." }[{{step}}]))
                exposure: sum(increase(http_requests_total{ {{cohort}} }[{{step}}]))
                approximateCounts: true
                critical: true
              - name: latency
                kind: continuous
                query: histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{ {{cohort}} }[{{step}}])))
                direction: increase
            """;

    void stop(@Observes ShutdownEvent ev) {
        watcher.shutdownNow();
    }

    public Optional<AnalysisTemplate> find(String name) {
        return Optional.ofNullable(templates.get(name));
    }

    public Collection<AnalysisTemplate> all() {
        return templates.values();
    }

    /** Problems found at the last load, one line per file. */
    public List<String> errors() {
        return errors;
    }

    public List<Path> directories() {
        return dirs;
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.errorf(e, "template reload failed");
        }
    }

    /** Re-reads the directories when a file changed; public for tests and an admin trigger. */
    public final synchronized void reload() {
        List<String> problems = new ArrayList<>();
        Scan scan = scan(problems);
        if (scan.fingerprints().equals(fingerprints) && !templates.isEmpty()) {
            return;
        }
        List<Path> files = scan.files();
        Map<Path, AnalysisTemplate> good = parseAll(files, problems);
        Map<String, AnalysisTemplate> byName = byName(files, good, problems);
        if (!problems.equals(errors)) {
            problems.forEach(p -> LOG.errorf("template rejected: %s", p));
        }
        if (!byName.keySet().equals(templates.keySet()) || !fingerprints.isEmpty()) {
            LOG.infof("templates dirs=%s loaded=%s", dirs, byName.keySet());
        }
        lastGood = good;
        fingerprints = scan.fingerprints();
        templates = Map.copyOf(byName);
        errors = List.copyOf(problems);
        invalid.set(problems.size());
    }

    /** The template files of every directory, in directory order and sorted within each; a change fingerprint each. */
    private record Scan(List<Path> files, Map<Path, String> fingerprints) {
    }

    private Scan scan(List<String> problems) {
        Map<Path, String> seen = new HashMap<>();
        List<Path> files = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                problems.add(dir + ": templates directory does not exist");
                continue;
            }
            try (Stream<Path> list = Files.list(dir)) {
                for (Path file : list.sorted().toList()) {
                    String name = file.getFileName().toString();
                    if ((name.endsWith(".yaml") || name.endsWith(".yml")) && !name.startsWith(".")
                            && !name.startsWith("kustomization.") && Files.isRegularFile(file)) {
                        files.add(file);
                        seen.put(file, Files.getLastModifiedTime(file) + "/" + Files.size(file));
                    }
                }
            } catch (IOException e) {
                problems.add(dir + ": " + e.getMessage());
            }
        }
        return new Scan(files, seen);
    }

    /** Each file parsed; one that no longer parses keeps its last good version, and both cases are reported. */
    private Map<Path, AnalysisTemplate> parseAll(List<Path> files, List<String> problems) {
        Map<Path, AnalysisTemplate> good = new HashMap<>();
        for (Path file : files) {
            String source = file.getFileName().toString();
            try {
                good.put(file, TemplateParser.parse(source, Files.readAllBytes(file)));
            } catch (TemplateException | IOException e) {
                AnalysisTemplate previous = lastGood.get(file);
                if (previous != null) {
                    good.put(file, previous);
                    problems.add(e.getMessage() + " (keeping the last good version)");
                } else {
                    problems.add(e.getMessage());
                }
            }
        }
        return good;
    }

    /** The templates by name; the first file (in scan order) keeps a name, a later one using it is a problem. */
    private static Map<String, AnalysisTemplate> byName(List<Path> files, Map<Path, AnalysisTemplate> good,
                                                        List<String> problems) {
        Map<String, AnalysisTemplate> byName = new TreeMap<>();
        for (Path file : files) {
            AnalysisTemplate t = good.get(file);
            if (t == null) {
                continue;
            }
            AnalysisTemplate clash = byName.putIfAbsent(t.name(), t);
            if (clash != null) {
                problems.add(file.getFileName() + ": name '" + t.name() + "' is already used by " + clash.source());
            }
        }
        return byName;
    }
}
