package io.canaryjudge.cdevents;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CDEvents type string, {@code dev.cdevents.<subject>.<predicate>.<major>.<minor>.<patch>} (CDEvents spec, "type").
 *
 * @param subject   e.g. {@code service}
 * @param predicate e.g. {@code deployed}
 */
record CdEventType(String subject, String predicate, int major, int minor, int patch) {
    static final String PREFIX = "dev.cdevents.";
    private static final Pattern TYPE = Pattern.compile(
            "dev\\.cdevents\\.([a-z]+)\\.([a-z]+)\\.(0|[1-9][0-9]{0,5})\\.(0|[1-9][0-9]{0,5})\\.(0|[1-9][0-9]{0,5})");

    static Optional<CdEventType> parse(String text) {
        Matcher m = text == null ? null : TYPE.matcher(text);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new CdEventType(m.group(1), m.group(2), Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5))));
    }

    /** {@code service.deployed} */
    String name() {
        return subject + "." + predicate;
    }

    String version() {
        return major + "." + minor + "." + patch;
    }
}
