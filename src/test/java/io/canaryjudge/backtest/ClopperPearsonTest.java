package io.canaryjudge.backtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The exact binomial interval against R 4.2's {@code binom.test(k, n)$conf.int} (printed with digits = 17). */
class ClopperPearsonTest {
    private static final double TOL = 1e-12;

    @Test
    void noAbortInTenWindowsMatchesR() {
        ClopperPearson cp = ClopperPearson.of(0, 10, 0.95);
        assertEquals(0, cp.lower());
        assertEquals(0.30849710781876083, cp.upper(), TOL);
        assertEquals(0, cp.estimate());
        // k = 0: the upper end has the closed form 1 - (α/2)^(1/n)
        assertEquals(1 - Math.pow(0.025, 1.0 / 10), cp.upper(), TOL);
    }

    @Test
    void threeAbortsInTwentyWindowsMatchesR() {
        ClopperPearson cp = ClopperPearson.of(3, 20, 0.95);
        assertEquals(0.032070937185463728, cp.lower(), TOL);
        assertEquals(0.378926826545313955, cp.upper(), TOL);
        assertEquals(0.15, cp.estimate(), 0);
    }

    @Test
    void oneAbortInFiveHundredWindowsMatchesR() {
        ClopperPearson cp = ClopperPearson.of(1, 500, 0.95);
        assertEquals(5.0634334007415276e-05, cp.lower(), 1e-15);
        assertEquals(1.1092476898968751e-02, cp.upper(), TOL);
    }

    @Test
    void allAbortsHaveUpperEndOne() {
        ClopperPearson cp = ClopperPearson.of(7, 7, 0.95);
        assertEquals(0.59038360277499657, cp.lower(), TOL);
        assertEquals(1, cp.upper());
    }

    @Test
    void rejectsImpossibleCounts() {
        assertEquals("need 0 <= k <= n and n >= 1",
                assertThrows(IllegalArgumentException.class, () -> ClopperPearson.of(3, 2, 0.95)).getMessage());
        assertEquals("confidence level must be in (0, 1)",
                assertThrows(IllegalArgumentException.class, () -> ClopperPearson.of(0, 2, 1)).getMessage());
    }
}
