package io.canaryjudge.deploy;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.KafkaTestClient;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The shipped Grafana dashboard queries only metrics that the service really exports at /q/metrics. */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class GrafanaDashboardTest {
    static final Path DASHBOARD = Path.of("deploy/grafana/canary-judge-dashboard.json");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    /** Metric names of a PromQL expression: identifiers outside strings, label matchers, ranges and groupings. */
    static Set<String> metricNames(String promql) {
        String s = promql.replace("$__rate_interval", "5m")
                .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENT.matcher(s);
        while (m.find()) {
            String word = m.group();
            int after = m.end();
            while (after < s.length() && s.charAt(after) == ' ') {
                after++;
            }
            boolean function = after < s.length() && s.charAt(after) == '(';
            boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            if (!function && !number && !PROMQL_WORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }

    @Test
    void metricNamesAreReadFromPromQl() {
        assertEquals(Set.of("a_bucket"), metricNames("histogram_quantile(0.99, sum by (le) (rate(a_bucket{x=\"y(z)\"}[5m])))"));
        assertEquals(Set.of("a", "b"), metricNames("sum(a{job=~\"$job\"}) / on (job) group_left b * 60"));
    }

    @Test
    void everyDashboardQueryNamesMetricsTheServiceExports() throws Exception {
        // make every exported series exist: one verdict with a commit time (verdicts, lead time, Prometheus
        // queries) and one dead-lettered event
        String event = DemoScenario.event("grafana-" + System.nanoTime(), "cart", startedAt)
                .replace("\"startedAt\"", "\"commitTime\":\"" + startedAt.minusSeconds(3600) + "\",\"startedAt\"");
        String id = given().contentType("application/json").body(event).post("/api/v1/analyses")
                .then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> given().get("/api/v1/analyses/" + id)
                .then().body("verdict", equalTo("PROMOTE")));
        try (KafkaTestClient kafka = new KafkaTestClient(bootstrap)) {
            kafka.send("deployments", "shop/broken", "{not json");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/q/metrics").asString()
                .contains("canary_intake_events_total{result=\"dead-lettered\"}"));

        Set<String> exported = exportedNames(given().get("/q/metrics").then().statusCode(200).extract().asString());
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> expressions = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> expressions.add(t.path("expr").asText())));
        dashboard.path("templating").path("list").forEach(v -> {
            Matcher lv = Pattern.compile("label_values\\(([^,)]+)").matcher(v.path("query").asText());
            if (lv.find()) {
                expressions.add(lv.group(1).trim());
            }
        });
        assertTrue(expressions.size() >= 10, "dashboard queries: " + expressions);
        Set<String> named = new TreeSet<>();
        for (String e : expressions) {
            Set<String> names = metricNames(e);
            assertFalse(names.isEmpty(), "no metric in " + e);
            named.addAll(names);
        }
        Set<String> missing = new TreeSet<>(named);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "queried by the dashboard but not exported");
        assertTrue(named.containsAll(Set.of("canary_analysis_pending_measurements", "canary_verdicts_total",
                "canary_prometheus_query_seconds_bucket", "canary_intake_events_total")), named.toString());
    }

    private static Set<String> exportedNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = IDENT.matcher(line);
            if (m.lookingAt()) {
                names.add(m.group());
            }
        }
        return names;
    }
}
