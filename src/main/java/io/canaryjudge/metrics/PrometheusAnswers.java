package io.canaryjudge.metrics;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what Prometheus answers: a {@code query_range}/{@code query} matrix with a streaming parser (no tree per
 * answer: every query of every analysis passes here), and the error of a refused query. Fields may come in any order;
 * anything but a successful matrix is a {@link PrometheusException}. Thread-safe.
 */
final class PrometheusAnswers {
    private final ObjectMapper json;

    PrometheusAnswers(ObjectMapper json) {
        this.json = json;
    }

    List<Series> parseMatrix(String body) {
        return parseMatrix(body.getBytes(StandardCharsets.UTF_8));
    }

    List<Series> parseMatrix(byte[] body) {
        String status = null;
        String resultType = null;
        List<Series> out = null;
        try (JsonParser p = json.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new PrometheusException("Prometheus answered status null", true, null);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if ("status".equals(field) && t == JsonToken.VALUE_STRING) {
                    status = p.getText();
                } else if ("data".equals(field) && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken v = p.nextToken();
                        if ("resultType".equals(f) && v == JsonToken.VALUE_STRING) {
                            resultType = p.getText();
                        } else if ("result".equals(f) && v == JsonToken.START_ARRAY) {
                            out = readSeries(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof PrometheusException pe) {
                throw pe;
            }
            throw new PrometheusException("unreadable answer from Prometheus: " + e.getMessage(), true, e);
        }
        if (!"success".equals(status)) {
            throw new PrometheusException("Prometheus answered status " + (status == null ? "null" : "\"" + status + "\""),
                    true, null);
        }
        if (!"matrix".equals(resultType)) {
            throw new PrometheusException("expected a matrix result, got " + (resultType == null ? "nothing" : resultType),
                    false, null);
        }
        return out == null ? List.of() : out;
    }

    /** The error Prometheus gave for a refused query ({@code errorType: error}), else the start of the raw answer. */
    String errorOf(String body) {
        try {
            JsonNode n = json.readTree(body);
            if (n.hasNonNull("error")) {
                return n.path("errorType").asText("error") + ": " + n.get("error").asText();
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: fall through to the raw text
        }
        return body == null ? "" : body.substring(0, Math.min(200, body.length()));
    }

    /** The {@code result} array of a matrix: {@code [{"metric":{...},"values":[[t,"v"],...]}, ...]}. */
    private static List<Series> readSeries(JsonParser p) throws IOException {
        List<Series> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Map<String, String> labels = new LinkedHashMap<>();
            Samples samples = new Samples();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if ("metric".equals(f) && v == JsonToken.START_OBJECT) {
                    readLabels(p, labels);
                } else if ("values".equals(f) && v == JsonToken.START_ARRAY) {
                    readValues(p, samples);
                } else {
                    p.skipChildren();
                }
            }
            out.add(new Series(labels, Arrays.copyOf(samples.times, samples.n), Arrays.copyOf(samples.values, samples.n)));
        }
        return out;
    }

    private static void readLabels(JsonParser p, Map<String, String> labels) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (p.nextToken().isStructStart()) {
                p.skipChildren(); // not a label value: Prometheus never sends one
                labels.put(name, "");
            } else {
                labels.put(name, p.getText());
            }
        }
    }

    private static void readValues(JsonParser p, Samples samples) throws IOException {
        while (p.nextToken() == JsonToken.START_ARRAY) {
            p.nextToken();
            double time = p.getValueAsDouble();
            p.nextToken();
            double value = parseValue(p.getText());
            if (p.nextToken() != JsonToken.END_ARRAY) {
                throw new PrometheusException("unreadable answer from Prometheus: a sample is not [time, value]",
                        true, null);
            }
            samples.add(time, value);
        }
    }

    private static double parseValue(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /** The samples of one series as they are read: two growing arrays, no boxing. */
    private static final class Samples {
        double[] times = new double[16];
        double[] values = new double[16];
        int n;

        void add(double time, double value) {
            if (n == times.length) {
                times = Arrays.copyOf(times, 2 * n);
                values = Arrays.copyOf(values, 2 * n);
            }
            times[n] = time;
            values[n++] = value;
        }
    }
}
