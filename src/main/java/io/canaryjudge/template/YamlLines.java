package io.canaryjudge.template;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** Maps JSON pointers ({@code /metrics/0/query}) of a YAML document to the line where their value starts. */
final class YamlLines {
    private static final YAMLFactory YAML = new YAMLFactory();

    private YamlLines() {
    }

    static Map<String, Integer> index(byte[] yaml) {
        Map<String, Integer> lines = new HashMap<>();
        // Each frame: the pointer of the container, and for arrays the next index.
        Deque<String> containers = new ArrayDeque<>();
        Deque<int[]> indexes = new ArrayDeque<>();
        String field = null;
        try (JsonParser p = YAML.createParser(yaml)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    containers.pop();
                    indexes.pop();
                    continue;
                }
                String pointer;
                if (containers.isEmpty()) {
                    pointer = "";
                } else if (indexes.peek()[0] >= 0) {
                    pointer = containers.peek() + "/" + indexes.peek()[0]++;
                } else {
                    pointer = containers.peek() + "/" + field;
                }
                lines.putIfAbsent(pointer, p.currentTokenLocation().getLineNr());
                if (t == JsonToken.START_OBJECT) {
                    containers.push(pointer);
                    indexes.push(new int[] {-1});
                } else if (t == JsonToken.START_ARRAY) {
                    containers.push(pointer);
                    indexes.push(new int[] {0});
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: messages fall back to the field path alone
        }
        return lines;
    }

    /** The line of the pointer, or of its nearest ancestor that has one; -1 when unknown. */
    static int lineOf(Map<String, Integer> lines, String pointer) {
        String p = pointer;
        while (true) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            int slash = p.lastIndexOf('/');
            if (slash < 0) {
                return -1;
            }
            p = p.substring(0, slash);
        }
    }

    /** {@code /metrics/0/query} → {@code metrics[0].query}. */
    static String path(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(part).append(']');
            } else {
                sb.append(sb.length() == 0 ? "" : ".").append(part.replace("~1", "/").replace("~0", "~"));
            }
        }
        return sb.length() == 0 ? "$" : sb.toString();
    }
}
