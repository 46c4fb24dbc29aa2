package io.canaryjudge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The bounds of {@link PublicationWindow}: slots, one pending send per id, the backoff after a refusal. */
class PublicationWindowTest {
    private final StepClock clock = new StepClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final PublicationWindow window = new PublicationWindow(2, clock, Duration.ofSeconds(1), Duration.ofSeconds(4));

    @Test
    void atMostSizeSendsAndOnePerIdArePending() {
        assertTrue(window.tryClaim("a", Duration.ZERO));
        assertFalse(window.tryClaim("a", Duration.ZERO), "a second send of a pending id");
        assertTrue(window.tryClaim("b", Duration.ZERO));
        assertFalse(window.tryClaim("c", Duration.ofMillis(50)), "the window is full");
        assertEquals(2, window.inFlight());
        window.release("a", null);
        assertEquals(1, window.inFlight());
        assertTrue(window.tryClaim("c", Duration.ZERO));
        assertFalse(window.tryClaim("a", Duration.ZERO), "full again");
        assertEquals(2, window.inFlight());
        window.cancel("c");
        assertTrue(window.tryClaim("a", Duration.ZERO), "acknowledged: the id may be sent again (a new decision)");
    }

    @Test
    void aRefusalStopsSendsForABackoffThatDoublesPerRoundAndEndsWithAnAcknowledgement() {
        assertTrue(window.tryClaim("a", Duration.ZERO));
        assertTrue(window.tryClaim("b", Duration.ZERO));
        window.release("a", new IllegalStateException("broker down"));
        window.release("b", new IllegalStateException("broker down")); // refused together: one round
        assertTrue(window.backingOff());
        assertFalse(window.tryClaim("a", Duration.ZERO));
        assertEquals(0, window.inFlight(), "refused sends free their slots");
        clock.advance(Duration.ofMillis(999));
        assertTrue(window.backingOff());
        clock.advance(Duration.ofMillis(1));
        assertFalse(window.backingOff(), "1 s after the first round");

        assertTrue(window.tryClaim("a", Duration.ZERO));
        window.release("a", new IllegalStateException("still down"));
        clock.advance(Duration.ofMillis(1999));
        assertTrue(window.backingOff(), "2 s after the second round");
        clock.advance(Duration.ofMillis(1));
        assertTrue(window.tryClaim("a", Duration.ZERO));
        window.release("a", new IllegalStateException("still down"));
        clock.advance(Duration.ofMillis(3999));
        assertTrue(window.backingOff(), "4 s after the third round");
        clock.advance(Duration.ofMillis(1));
        assertTrue(window.tryClaim("a", Duration.ZERO));
        window.release("a", new IllegalStateException("still down"));
        clock.advance(Duration.ofMillis(4000));
        assertFalse(window.backingOff(), "at most 4 s");

        assertTrue(window.tryClaim("a", Duration.ZERO));
        assertTrue(window.tryClaim("b", Duration.ZERO));
        window.release("a", null); // back
        window.release("b", new IllegalStateException("one more"));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(window.backingOff(), "an acknowledgement starts the backoff over at 1 s");
    }

    /** A clock the test moves. */
    private static final class StepClock extends Clock {
        private Instant now;

        StepClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
