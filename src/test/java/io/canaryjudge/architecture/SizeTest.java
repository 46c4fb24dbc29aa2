package io.canaryjudge.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.LineMap;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Small units (issue #21): no top-level class of src/main/java over {@value #MAX_CLASS_LINES}
 * physical lines (the file's lines), and no method or constructor — those of nested and anonymous classes included,
 * lambdas not — over {@value #MAX_METHOD_LINES} lines from its signature line to its closing brace. The sources are
 * parsed with the JDK's own compiler API, so the count is of declarations, not of text that looks like one.
 */
class SizeTest {
    static final int MAX_CLASS_LINES = 350;
    static final int MAX_METHOD_LINES = 60;

    @Test
    void classesAndMethodsAreSmall() {
        List<String> problems = violations(Path.of("src/main/java")).stream().map(Violation::toString).toList();
        assertTrue(problems.isEmpty(), () -> "classes over " + MAX_CLASS_LINES + " lines, methods over "
                + MAX_METHOD_LINES + " lines (split by responsibility, or into well-named steps):\n  "
                + String.join("\n  ", problems));
    }

    /** The check itself finds what it is meant to: a long class, a long method of an anonymous class, and no lambda. */
    @Test
    void aDeliberateViolationIsFound(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path file = dir.resolve("io/example/Long.java");
        Files.createDirectories(file.getParent());
        StringBuilder source = new StringBuilder("package io.example;\n\nclass Long {\n");
        source.append("    Runnable r = new Runnable() {\n        @Override\n        public void run() {\n");
        source.append("            int x = 0;\n".repeat(59)).append("        }\n    };\n");
        source.append("    Runnable lambda = () -> {\n").append("        int y = 0;\n".repeat(70)).append("    };\n");
        source.append("    Long() {\n").append("        int z = 0;\n".repeat(58)).append("    }\n");
        source.append("    void blank() {\n    }\n".repeat(100)).append("}\n");
        Files.writeString(file, source);

        List<String> found = violations(dir).stream().map(Violation::toString).toList();

        long lines = source.chars().filter(c -> c == '\n').count();
        assertEquals(List.of("io.example.Long: " + lines + " lines (Long.java:1)",
                "io.example.Long.new Runnable() {}#run: 61 lines (Long.java:6)"), found);
        assertTrue(lines > MAX_CLASS_LINES, "the sample must be long");
    }

    /** A class or method that is too long: its name, its length and where it starts. */
    record Violation(String name, long lines, String file, long line) {
        @Override
        public String toString() {
            return name + ": " + lines + " lines (" + file + ":" + line + ")";
        }
    }

    static List<Violation> violations(Path root) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertTrue(!files.isEmpty(), "no sources under " + root.toAbsolutePath());
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        try (StandardJavaFileManager fileManager = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            JavacTask task = (JavacTask) compiler.getTask(null, fileManager, null, List.of("-proc:none"), null,
                    fileManager.getJavaFileObjectsFromPaths(files));
            SourcePositions positions = Trees.instance(task).getSourcePositions();
            List<Violation> found = new ArrayList<>();
            for (CompilationUnitTree unit : task.parse()) {
                found.addAll(new Measure(unit, positions).run());
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Measures one source file: its top-level classes by the file's lines, every method body by its lines. */
    private static final class Measure extends TreeScanner<Void, Void> {
        private final CompilationUnitTree unit;
        private final SourcePositions positions;
        private final LineMap lines;
        private final CharSequence text;
        private final String fileName;
        private final String packagePrefix;
        /** The enclosing classes' names, outermost first. */
        private final Deque<String> classes = new ArrayDeque<>();
        private final List<Violation> found = new ArrayList<>();

        Measure(CompilationUnitTree unit, SourcePositions positions) throws IOException {
            this.unit = unit;
            this.positions = positions;
            this.lines = unit.getLineMap();
            this.text = unit.getSourceFile().getCharContent(true);
            this.fileName = Path.of(unit.getSourceFile().toUri()).getFileName().toString();
            this.packagePrefix = unit.getPackageName() == null ? "" : unit.getPackageName() + ".";
        }

        List<Violation> run() {
            long physical = text.chars().filter(c -> c == '\n').count()
                    + (text.length() > 0 && text.charAt(text.length() - 1) != '\n' ? 1 : 0);
            for (Tree type : unit.getTypeDecls()) {
                if (type instanceof ClassTree c && physical > MAX_CLASS_LINES) {
                    found.add(new Violation(packagePrefix + c.getSimpleName(), physical, fileName, 1));
                }
            }
            scan(unit, null);
            return found;
        }

        @Override
        public Void visitClass(ClassTree node, Void unused) {
            classes.addLast(node.getSimpleName().isEmpty() ? "?" : node.getSimpleName().toString());
            try {
                return super.visitClass(node, unused);
            } finally {
                classes.removeLast();
            }
        }

        @Override
        public Void visitNewClass(NewClassTree node, Void unused) {
            if (node.getClassBody() == null) {
                return super.visitNewClass(node, unused);
            }
            scan(node.getEnclosingExpression(), null);
            scan(node.getArguments(), null);
            // an anonymous class is named by what it implements: "new Runnable() {}"
            classes.addLast("new " + node.getIdentifier() + "() {}");
            try {
                scan(node.getClassBody().getMembers(), null);
            } finally {
                classes.removeLast();
            }
            return null;
        }

        @Override
        public Void visitMethod(MethodTree node, Void unused) {
            if (node.getBody() != null) {
                long first = lines.getLineNumber(signatureStart(node));
                long last = lines.getLineNumber(positions.getEndPosition(unit, node));
                long length = last - first + 1;
                if (length > MAX_METHOD_LINES) {
                    String owner = packagePrefix + String.join(".", classes);
                    String name = node.getName().contentEquals("<init>") ? classes.getLast() : node.getName().toString();
                    found.add(new Violation(owner + "#" + name, length, fileName, first));
                }
            }
            return super.visitMethod(node, unused);
        }

        /** Where the signature begins: after the annotations, which often sit on lines of their own. */
        private long signatureStart(MethodTree method) {
            var annotations = method.getModifiers().getAnnotations();
            if (annotations.isEmpty()) {
                return positions.getStartPosition(unit, method);
            }
            int at = (int) positions.getEndPosition(unit, annotations.get(annotations.size() - 1));
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
            return at;
        }
    }
}
