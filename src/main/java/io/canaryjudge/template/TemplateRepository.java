package io.canaryjudge.template;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Facade of the template feature: the analysis templates loaded from {@code CANARY_TEMPLATES_DIR}.
 * A file that fails validation is reported (log and {@link #errors()}) and left out; the others load.
 */
@ApplicationScoped
@Startup
public class TemplateRepository {
    private static final Logger LOG = Logger.getLogger(TemplateRepository.class);

    private final Path dir;
    private volatile Map<String, AnalysisTemplate> templates = Map.of();
    private volatile List<String> errors = List.of();

    TemplateRepository(@ConfigProperty(name = "canary.templates.dir", defaultValue = "analysis-templates") Path dir) {
        this.dir = dir;
        reload();
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

    public Path directory() {
        return dir;
    }

    final synchronized void reload() {
        Map<String, AnalysisTemplate> loaded = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            problems.add(dir + ": templates directory does not exist");
        } else {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.sorted().toList()) {
                    String name = file.getFileName().toString();
                    if (!(name.endsWith(".yaml") || name.endsWith(".yml")) || name.startsWith(".")
                            || name.startsWith("kustomization.")) {
                        continue;
                    }
                    try {
                        AnalysisTemplate t = TemplateParser.parse(name, Files.readAllBytes(file));
                        AnalysisTemplate previous = loaded.putIfAbsent(t.name(), t);
                        if (previous != null) {
                            problems.add(name + ": name '" + t.name() + "' is already used by " + previous.source());
                        }
                    } catch (TemplateException | IOException e) {
                        problems.add(e.getMessage());
                    }
                }
            } catch (IOException e) {
                problems.add(dir + ": " + e.getMessage());
            }
        }
        problems.forEach(p -> LOG.errorf("template rejected: %s", p));
        LOG.infof("templates dir=%s loaded=%s", dir.toAbsolutePath(), loaded.keySet());
        templates = Map.copyOf(loaded);
        errors = List.copyOf(problems);
    }
}
