package io.canaryjudge.judge.sequential;

import io.canaryjudge.judge.Direction;

/**
 * One metric's sequential test as the decision sees it: name, whether it may abort the canary, its bad
 * direction, its rate-ratio tolerance for early PROMOTE, and its state. One metric may contribute
 * several tests (rank and quantiles): pass each as its own entry, e.g. "latency p99".
 */
public record SequentialMetric(String name, boolean critical, Direction direction, double rTol,
                               SequentialState state) {

    public SequentialMetric {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is blank");
        }
        if (direction == null) {
            throw new IllegalArgumentException("direction == null");
        }
        if (!(rTol > 1) || Double.isInfinite(rTol)) {
            throw new IllegalArgumentException("rTol must be > 1");
        }
        if (state == null) {
            throw new IllegalArgumentException("state == null");
        }
        if (state.direction() != direction) {
            throw new IllegalArgumentException(name + " was started for direction " + state.direction()
                + ", not " + direction + ": the direction cannot change mid-analysis");
        }
    }

    /** Direction from the state, tolerance from the config. */
    public static SequentialMetric of(String name, boolean critical, SequentialState state, SequentialConfig config) {
        if (state == null) {
            throw new IllegalArgumentException("state == null");
        }
        return new SequentialMetric(name, critical, state.direction(), config.rTol(), state);
    }
}
