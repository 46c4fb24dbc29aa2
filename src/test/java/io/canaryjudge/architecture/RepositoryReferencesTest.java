package io.canaryjudge.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository points only at what it contains: every relative Markdown link resolves to a file (and, with an
 * anchor, to a heading of that file), and every repository path or Markdown file named in code, manifests, scripts
 * or docs exists. A reader following a reference never ends at a file that is not there.
 */
class RepositoryReferencesTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules", ".mvn", ".idea");
    private static final Set<String> TEXT = Set.of("md", "java", "yaml", "yml", "sh", "properties", "json", "xml",
            "html", "js", "css", "R", "txt", "sql");
    /** A Markdown link or image: [text](target) — the target without a title. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    /** A path into the repository's own top-level folders, or a Markdown file by name. */
    private static final Pattern PATH = Pattern.compile(
            "(?<![\\w./-])((?:docs|deploy|analysis-templates|load-test|src/main|src/test|\\.ci)/[\\w./-]*[\\w-])"
                    + "|(?<![\\w/.-])([A-Z][A-Z0-9_-]+\\.md)\\b");

    @Test
    void relativeMarkdownLinksResolveToFilesAndHeadings() {
        List<String> broken = new ArrayList<>();
        Map<Path, Set<String>> anchors = new HashMap<>();
        int checked = 0;
        for (Path md : files().filter(p -> p.toString().endsWith(".md")).toList()) {
            String text = read(md);
            Matcher m = LINK.matcher(withoutCode(text));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-zA-Z][a-zA-Z+.-]*:.*") || target.startsWith("//")) {
                    continue; // http(s), mailto: not a file of this repository
                }
                checked++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                String anchor = hash < 0 ? null : target.substring(hash + 1);
                Path resolved = file.isEmpty() ? md : md.getParent().resolve(file).normalize();
                if (!Files.exists(resolved) || !resolved.startsWith(ROOT)) {
                    broken.add(ROOT.relativize(md) + ": " + target + " (no such file)");
                } else if (anchor != null && resolved.toString().endsWith(".md")
                        && !anchors.computeIfAbsent(resolved, RepositoryReferencesTest::headings).contains(anchor)) {
                    broken.add(ROOT.relativize(md) + ": " + target + " (no such heading)");
                }
            }
        }
        assertTrue(checked > 100, "found only " + checked + " relative links: is the test reading the repository?");
        assertEquals(List.of(), broken, "relative links that lead nowhere");
    }

    @Test
    void everyPathNamedInTheRepositoryExists() {
        Set<String> missing = new LinkedHashSet<>();
        Set<String> markdownNames = new LinkedHashSet<>();
        List<Path> all = files().toList();
        for (Path p : all) {
            String name = p.getFileName().toString();
            if (name.endsWith(".md")) {
                markdownNames.add(name);
            }
        }
        int checked = 0;
        for (Path p : all) {
            String text = read(p);
            Matcher m = PATH.matcher(text);
            while (m.find()) {
                checked++;
                if (m.group(1) != null) {
                    String path = m.group(1).replaceAll("[.]+$", "");
                    if (!Files.exists(ROOT.resolve(path)) && !generated(path)) {
                        missing.add(ROOT.relativize(p) + ": " + path);
                    }
                } else if (!markdownNames.contains(m.group(2))) {
                    missing.add(ROOT.relativize(p) + ": " + m.group(2));
                }
            }
        }
        assertTrue(checked > 100, "found only " + checked + " references: is the test reading the repository?");
        assertEquals(List.of(), List.copyOf(missing), "references to files the repository does not contain");
    }

    /** Paths the build or a run writes (and that the docs name as outputs), or that stand for a family of files. */
    private static boolean generated(String path) {
        return path.contains("/target/") || path.startsWith("target/") || path.endsWith("/target")
                || path.contains("*") || path.startsWith("src/main/java/io/canaryjudge/") && !path.contains(".");
    }

    private static Stream<Path> files() {
        try {
            return Files.walk(ROOT)
                    .filter(p -> ROOT.relativize(p).toString().split("[/\\\\]").length > 0)
                    .filter(p -> {
                        for (Path part : ROOT.relativize(p)) {
                            if (SKIPPED_DIRS.contains(part.toString())) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .filter(Files::isRegularFile)
                    .filter(p -> TEXT.contains(extension(p)))
                    .filter(p -> !p.startsWith(ROOT.resolve("src/test/resources")) || p.toString().endsWith(".md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Markdown without fenced code blocks (a link-like text in an example is not a link). */
    private static String withoutCode(String md) {
        return md.replaceAll("(?ms)^```.*?^```", "");
    }

    /** GitHub's anchors of a Markdown file's headings. */
    private static Set<String> headings(Path md) {
        Set<String> out = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : withoutCode(read(md)).split("\n")) {
            if (!line.matches("^#{1,6} .*")) {
                continue;
            }
            String text = line.replaceFirst("^#{1,6} ", "").replaceAll("\\[([^]]*)]\\([^)]*\\)", "$1");
            String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
                    .replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum);
            out.add(n == 1 ? slug : slug + "-" + (n - 1));
        }
        return out;
    }
}
