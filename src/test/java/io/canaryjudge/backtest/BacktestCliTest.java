package io.canaryjudge.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.canaryjudge.testing.DemoScenario;
import io.canaryjudge.testing.RealInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** {@code bin/canary-judge-backtest} (bash + curl) against the running test service. */
@QuarkusTest
@QuarkusTestResource(value = RealInfrastructure.class, restrictToAnnotatedClass = false)
class BacktestCliTest {
    private static final Path SCRIPT = Path.of("bin", "canary-judge-backtest");

    @TestHTTPResource("/")
    URL root;

    @ConfigProperty(name = "canary.test.started-at")
    Instant startedAt;

    /** Exit code, stdout and stderr of one run of the script. */
    record Run(int exit, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("CANARY_API_KEY");
        pb.environment().remove("CANARY_URL");
        pb.environment().putAll(env);
        Path out = Files.createTempFile("backtest-cli", ".out");
        Path err = Files.createTempFile("backtest-cli", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script finished");
        Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    private String url() {
        return root.toString();
    }

    @Test
    void aaPrintsTheTextReport() throws Exception {
        Instant from = startedAt.minus(Duration.ofMinutes(14));
        Instant to = startedAt.plus(Duration.ofMinutes(30));
        Run r = run(Map.of("CANARY_URL", url()), "--template", "aa-sequential", "--namespace", "shop",
                "--service", "cart", "--a-labels", "namespace=shop,service=cart,track=stable",
                "--b-labels", "namespace=shop,service=checkout", "--b-labels", "track=stable",
                "--from", from.toString(), "--to", to.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("A/A backtest of template aa-sequential (sequential mode) on shop/cart"), r.out());
        assertTrue(r.out().contains("stable side: {namespace=shop, service=checkout, track=stable}"), r.out());
        // two 2-minute looks of one stable against another rarely rule out 2x errors and +20 % latency from 4 points
        // of the p50 series each: no ABORT is what an A/A backtest checks, INCONCLUSIVE is the honest rest
        assertTrue(r.out().matches("(?s).*verdicts: PROMOTE (\\d+)  ABORT 0  INCONCLUSIVE (\\d+).*"), r.out());
        assertTrue(r.out().contains("false-abort rate: 0/11 = 0.0000, 95% CI [0.0000, 0.2849]"), r.out());
    }

    @Test
    void replayPrintsTheJsonResultWithTheJsonFlag() throws Exception {
        Run r = run(Map.of(), "--url", url(), "--kind", "replay", "--template", "replay-fixed",
                "--namespace", "shop", "--service", DemoScenario.BAD_SERVICE,
                "--canary-labels", "namespace=shop,service=checkout,track=canary",
                "--stable-labels", "namespace=shop,service=checkout,track=stable",
                "--started-at", startedAt.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("{\"kind\":\"replay\""), r.out());
        assertTrue(r.out().contains("\"verdict\":\"ABORT\""), r.out());
    }

    @Test
    void httpErrorExitsOneWithTheProblemOnStderr() throws Exception {
        Run r = run(Map.of("CANARY_URL", url()), "--template", "no-such-template", "--namespace", "shop",
                "--service", "cart", "--labels", "namespace=shop,service=cart,track=stable",
                "--from", startedAt.minus(Duration.ofMinutes(10)).toString(), "--to", startedAt.toString());
        assertEquals(1, r.exit(), r.out());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("canary-judge-backtest: HTTP 400\n"), r.err());
        assertTrue(r.err().contains("\"detail\":\"unknown analysis template 'no-such-template'"), r.err());
    }

    @Test
    void usageErrorsAndHelp() throws Exception {
        Run help = run(Map.of(), "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().startsWith("Usage:\n  canary-judge-backtest --kind aa"), help.out());
        assertTrue(help.out().contains("--api-key KEY"), help.out());

        Run missing = run(Map.of(), "--namespace", "shop");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().startsWith("canary-judge-backtest: --template is required"), missing.err());

        Run badLabel = run(Map.of("CANARY_URL", url()), "--template", "aa-fixed", "--namespace", "shop", "--service",
                "cart", "--labels", "track");
        assertEquals(2, badLabel.exit());
        assertTrue(badLabel.err().startsWith("canary-judge-backtest: --labels: 'track' is not k=v"), badLabel.err());

        Run down = run(Map.of(), "--url", "http://127.0.0.1:9", "--template", "aa-fixed", "--namespace", "shop",
                "--service", "cart");
        assertEquals(3, down.exit());
        assertTrue(down.err().contains("canary-judge-backtest: cannot reach http://127.0.0.1:9"), down.err());
    }
}
