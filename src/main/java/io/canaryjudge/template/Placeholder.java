package io.canaryjudge.template;

import java.util.Arrays;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The placeholders a template query may use, {@code {{name}}}; the parser refuses any other name. */
enum Placeholder {
    /** The cohort's label matchers: without it canary and stable read the same series. */
    COHORT("cohort"),
    NAMESPACE("namespace"),
    SERVICE("service"),
    INTERVAL("interval"),
    STEP("step");

    /** {@code {{ name }}}: group 1 is the name, spaces inside the braces allowed. */
    static final Pattern PATTERN = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.-]*)\\s*}}");

    final String wire;

    Placeholder(String wire) {
        this.wire = wire;
    }

    static Optional<Placeholder> named(String name) {
        return Arrays.stream(values()).filter(p -> p.wire.equals(name)).findFirst();
    }

    /** The names, sorted, as error messages list them. */
    static SortedSet<String> names() {
        SortedSet<String> names = new TreeSet<>();
        for (Placeholder p : values()) {
            names.add(p.wire);
        }
        return names;
    }
}
