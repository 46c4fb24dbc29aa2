package io.canaryjudge.judge;

/** Which change of a metric is bad. */
public enum Direction {
    /** Bad if the canary goes up (latency, errors): may be HIGH. */
    INCREASE,
    /** Bad if the canary goes down (throughput, cache hits): may be LOW. */
    DECREASE,
    /** Bad either way: may be HIGH or LOW. */
    EITHER;

    Alternative alternative() {
        return switch (this) {
            case INCREASE -> Alternative.GREATER;
            case DECREASE -> Alternative.LESS;
            case EITHER -> Alternative.TWO_SIDED;
        };
    }
}
