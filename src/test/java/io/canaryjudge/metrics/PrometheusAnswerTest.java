package io.canaryjudge.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streaming reader of Prometheus answers: values, special floats, field order, errors. */
class PrometheusAnswerTest {
    private final PrometheusAnswers answers = new PrometheusAnswers(new ObjectMapper());

    @Test
    void matrixWithSpecialValuesInAnyFieldOrder() {
        String body = "{\"data\":{\"result\":[{\"values\":[[1700000000,\"1.5\"],[1700000015.25,\"NaN\"],"
                + "[1700000030,\"+Inf\"],[1700000045,\"-Inf\"],[1700000060,\"1e-3\"]],"
                + "\"metric\":{\"track\":\"canary\",\"__name__\":\"x\"}},{\"metric\":{},\"values\":[]}],"
                + "\"resultType\":\"matrix\"},\"warnings\":[\"w\"],\"status\":\"success\"}";
        List<Series> s = answers.parseMatrix(body);
        assertEquals(2, s.size());
        assertEquals(Map.of("track", "canary", "__name__", "x"), s.get(0).labels());
        assertArrayEquals(new double[] {1700000000, 1700000015.25, 1700000030, 1700000045, 1700000060},
                s.get(0).times());
        double[] v = s.get(0).values();
        assertEquals(1.5, v[0]);
        assertTrue(Double.isNaN(v[1]));
        assertEquals(Double.POSITIVE_INFINITY, v[2]);
        assertEquals(Double.NEGATIVE_INFINITY, v[3]);
        assertEquals(0.001, v[4]);
        assertEquals(0, s.get(1).times().length);
    }

    @Test
    void manySamplesGrowTheArrays() {
        StringBuilder b = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":"
                + "[{\"metric\":{\"pod\":\"a\"},\"values\":[");
        for (int i = 0; i < 1000; i++) {
            b.append(i == 0 ? "" : ",").append('[').append(i).append(",\"").append(i * 0.5).append("\"]");
        }
        Series s = answers.parseMatrix(b.append("]}]}}").toString()).get(0);
        assertEquals(1000, s.values().length);
        assertEquals(999 * 0.5, s.values()[999]);
        assertEquals(999.0, s.times()[999]);
    }

    @Test
    void errorsAreReportedWithTheirKind() {
        PrometheusException error = assertThrows(PrometheusException.class, () -> answers.parseMatrix(
                "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}"));
        assertEquals("Prometheus answered status \"error\"", error.getMessage());
        assertTrue(error.retryable());
        PrometheusException vector = assertThrows(PrometheusException.class, () -> answers.parseMatrix(
                "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"));
        assertEquals("expected a matrix result, got vector", vector.getMessage());
        assertFalse(vector.retryable());
        assertTrue(assertThrows(PrometheusException.class, () -> answers.parseMatrix("<html>"))
                .getMessage().startsWith("unreadable answer from Prometheus"));
        assertEquals("Prometheus answered status null",
                assertThrows(PrometheusException.class, () -> answers.parseMatrix("")).getMessage());
        assertTrue(assertThrows(PrometheusException.class, () -> answers.parseMatrix("{\"status\":\"success\",\"data\":"
                + "{\"resultType\":\"matrix\",\"result\":[{\"values\":[[1,\"2\",3]]}]}}")).getMessage()
                .contains("not [time, value]"));
    }
}
