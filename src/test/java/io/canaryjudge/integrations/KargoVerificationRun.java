package io.canaryjudge.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Kargo does with a Stage's {@code verification} before Argo Rollouts' analysis controller takes over
 * (pkg/rollouts/analysis_run_builder.go): each of {@code verification.args} is evaluated as a Kargo expression
 * template against the Stage's current Freight, the results override the AnalysisTemplate's args of the same name
 * (an arg the template does not declare is dropped, as Kargo drops it), and every arg must then have a value or a
 * valueFrom. The run itself is {@link ArgoAnalysisRun}'s.
 *
 * <p>The expression language is expr-lang; only what the shipped Stage uses is emulated: a value without an expression
 * is the literal string (Kargo does not evaluate it, so "42" stays a string), and {@code ${{ imageFrom("<repo>").Digest
 * }}} is the digest of the Freight's image from that repository. Any other expression, the {@code ${% %}} delimiters, a
 * repository the Freight does not carry ({@code imageFrom} returns nil) or a result Kargo would coerce to a number,
 * boolean, null, object or array (a verification arg must evaluate to a string) fails the test.
 */
final class KargoVerificationRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{\\{(.*?)}}");
    private static final Pattern IMAGE_FROM_DIGEST = Pattern.compile("imageFrom\\(\\s*\"([^\"\\\\]+)\"\\s*\\)\\.Digest");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    /** One image of a Freight: the repository it came from, its tag and digest. */
    record Image(String repoUrl, String tag, String digest) {
    }

    private KargoVerificationRun() {
    }

    /**
     * The AnalysisRun's args as Kargo creates the run: the template's args with the Stage's evaluated
     * verification args put over them.
     */
    static ArrayNode args(JsonNode stage, JsonNode templateArgs, List<Image> freight) {
        Map<String, String> evaluated = new LinkedHashMap<>();
        for (JsonNode a : stage.path("spec").path("verification").path("args")) {
            evaluated.put(a.path("name").asText(), evaluate(a.path("value").asText(""), freight));
        }
        ArrayNode merged = JSON.createArrayNode();
        for (JsonNode t : templateArgs) {
            ObjectNode arg = t.deepCopy();
            String v = evaluated.get(t.path("name").asText());
            if (v != null) {
                arg.remove("valueFrom");
                arg.put("value", v);
            }
            if (!arg.has("value") && !arg.has("valueFrom")) {
                throw new AssertionError("unresolved argument \"" + t.path("name").asText()
                        + "\": neither Value nor ValueFrom is set (Kargo would not create the AnalysisRun)");
            }
            merged.add(arg);
        }
        return merged;
    }

    /** expressions.EvaluateTemplate, limited to the forms above. */
    static String evaluate(String template, List<Image> freight) {
        if (template.contains("${%")) {
            throw new AssertionError("the ${% %} delimiters are not emulated: " + template);
        }
        if (!template.contains("${{")) {
            return template; // no expression: the literal, never coerced
        }
        Matcher m = EXPRESSION.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(expression(m.group(1).trim(), freight)));
        }
        m.appendTail(sb);
        String result = sb.toString();
        if (result.length() > 1 && result.startsWith("\"") && result.endsWith("\"")) {
            return result.substring(1, result.length() - 1);
        }
        if (NUMBER.matcher(result).matches() || result.equals("true") || result.equals("false")
                || result.equals("null") || result.startsWith("{") || result.startsWith("[")) {
            throw new AssertionError("'" + template + "' evaluates to " + result
                    + ", which Kargo coerces to a non-string: a verification arg must be a string");
        }
        return result;
    }

    private static String expression(String expr, List<Image> freight) {
        Matcher m = IMAGE_FROM_DIGEST.matcher(expr);
        if (!m.matches()) {
            throw new AssertionError("expression not emulated: " + expr);
        }
        return freight.stream().filter(i -> i.repoUrl().equals(m.group(1))).findFirst()
                .map(Image::digest)
                .orElseThrow(() -> new AssertionError("imageFrom(\"" + m.group(1) + "\") is nil: the Freight carries "
                        + "no image from " + m.group(1) + ", so .Digest cannot be evaluated"));
    }
}
