package io.canaryjudge.integrations;

import io.canaryjudge.problem.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Label selectors as deploy tools write them ({@code app=guestbook,rollouts-pod-template-hash=6b8d}, or Kayenta
 * scopes joined by {@code and} / {@code &&}) turned into the Prometheus label matchers of a cohort.
 */
public final class Selectors {
    private static final Pattern SEPARATOR = Pattern.compile("\\s*(?:,|&&|\\s+and\\s+)\\s*");
    private static final Pattern INVALID_NAME_CHAR = Pattern.compile("[^a-zA-Z0-9_]");

    private Selectors() {
    }

    /** True when the text holds {@code name=value} pairs rather than one bare value. */
    public static boolean isPairs(String text) {
        return text != null && text.contains("=");
    }

    /**
     * @param field the caller's name of the parameter, for the 400 answer
     * @throws InvalidInputException when a part is not {@code name=value}
     */
    public static Map<String, String> parse(String field, String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return labels;
        }
        for (String part : SEPARATOR.split(text.trim())) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new InvalidInputException(field, field + ": '" + abbreviate(part) + "' is not name=value");
            }
            String value = part.substring(part.startsWith("==", eq) ? eq + 2 : eq + 1).trim();
            labels.put(labelName(part.substring(0, eq).trim()), unquote(value));
        }
        return labels;
    }

    /**
     * A Kubernetes label key as Prometheus' Kubernetes service discovery exposes it
     * ({@code __meta_kubernetes_pod_label_<name>}, mapped by the usual labelmap): every character a label name
     * cannot hold — the prefix's dots and slash included — replaced by an underscore, so
     * {@code app.kubernetes.io/name} is {@code app_kubernetes_io_name}.
     */
    public static String labelName(String key) {
        String name = INVALID_NAME_CHAR.matcher(key).replaceAll("_");
        return !name.isEmpty() && Character.isDigit(name.charAt(0)) ? "_" + name : name;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
