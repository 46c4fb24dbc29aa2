package io.canaryjudge.integrations.kayenta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.canaryjudge.integrations.Standing;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KayentaScoresTest {
    /** Argo's evaluateResult on the integer part of the score. */
    private static String argo(double score, int pass, int marginal) {
        int s = (int) score;
        return s >= pass ? "PROMOTE" : s >= marginal ? "INCONCLUSIVE" : "ABORT";
    }

    @ParameterizedTest(name = "{0} with raw score {1} (pass {2}, marginal {3}) is reported as {4}")
    @CsvSource({
        "PROMOTE, 100, 95, 75, 100",
        "PROMOTE, 80, 95, 75, 95",          // our template passed at a lower threshold: never below the client's pass
        "PROMOTE, , 95, 75, 95",
        "ABORT, 50, 95, 75, 50",
        "ABORT, 100, 95, 75, 74",           // critical metric failed although the rest passed: like Kayenta, below marginal
        "ABORT, 74.5, 95, 75, 74.5",
        "ABORT, , 95, 75, 0",
        "INCONCLUSIVE, 80, 95, 75, 80",
        "INCONCLUSIVE, 100, 95, 75, 94",    // critical metric without data: never reaches pass
        "INCONCLUSIVE, 10, 95, 75, 75",
        "INCONCLUSIVE, 100, 80, 80, 79",    // no inconclusive band: must not promote
    })
    void reportedScoreLiesInTheBandOfTheVerdict(Standing verdict, Double raw, int pass, int marginal, double expected) {
        double reported = KayentaScores.reported(verdict, raw, pass, marginal);
        assertEquals(expected, reported, 1e-9);
        if (pass != marginal || verdict != Standing.INCONCLUSIVE) {
            assertEquals(verdict.name(), argo(reported, pass, marginal));
        }
    }

    @ParameterizedTest
    @CsvSource({"95, Pass", "94.9, Marginal", "75, Marginal", "74.9, Fail"})
    void classificationUsesTheClientsThresholds(double score, String expected) {
        assertEquals(expected, KayentaScores.classification(score, 95, 75));
    }
}
