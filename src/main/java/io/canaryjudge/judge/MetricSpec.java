package io.canaryjudge.judge;

/**
 * How one metric is judged. Build with {@link #builder(String, MetricKind)}; defaults: direction
 * INCREASE, tolerance 10 % relative, not critical, data not required, at least 10 samples per cohort
 * (1 for THRESHOLD), group "default", weight 1, confidence 0.95, no outlier removal.
 */
public record MetricSpec(String name, MetricKind kind, Direction direction, Tolerance tolerance,
                         boolean critical, boolean mustHaveData, int minSamples, String group,
                         double weight, double confidenceLevel, boolean removeOutliers,
                         Threshold threshold) {

    public MetricSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is blank");
        }
        if (kind == null) {
            throw new IllegalArgumentException("kind == null");
        }
        if (direction == null) {
            throw new IllegalArgumentException("direction == null");
        }
        if (tolerance == null) {
            throw new IllegalArgumentException("tolerance == null");
        }
        if (minSamples < 1) {
            throw new IllegalArgumentException("minSamples must be >= 1");
        }
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("group is blank");
        }
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be > 0");
        }
        if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
            throw new IllegalArgumentException("confidenceLevel not in (0, 1)");
        }
        if (kind == MetricKind.THRESHOLD && threshold == null) {
            throw new IllegalArgumentException("THRESHOLD needs a threshold");
        }
    }

    public static Builder builder(String name, MetricKind kind) {
        return new Builder(name, kind);
    }

    /** The significance level, 1 − confidence. */
    public double alpha() {
        return 1 - confidenceLevel;
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private final String name;
        private final MetricKind kind;
        private Direction direction = Direction.INCREASE;
        private Tolerance tolerance = Tolerance.relative(0.10);
        private boolean critical;
        private boolean mustHaveData;
        private int minSamples;
        private String group = "default";
        private double weight = 1;
        private double confidenceLevel = 0.95;
        private boolean removeOutliers;
        private Threshold threshold;

        private Builder(String name, MetricKind kind) {
            this.name = name;
            this.kind = kind;
            this.minSamples = kind == MetricKind.THRESHOLD ? 1 : 10;
        }

        public Builder direction(Direction value) {
            direction = value;
            return this;
        }

        public Builder tolerance(Tolerance value) {
            tolerance = value;
            return this;
        }

        public Builder critical(boolean value) {
            critical = value;
            return this;
        }

        public Builder mustHaveData(boolean value) {
            mustHaveData = value;
            return this;
        }

        public Builder minSamples(int value) {
            minSamples = value;
            return this;
        }

        public Builder group(String value) {
            group = value;
            return this;
        }

        public Builder weight(double value) {
            weight = value;
            return this;
        }

        public Builder confidenceLevel(double value) {
            confidenceLevel = value;
            return this;
        }

        public Builder removeOutliers(boolean value) {
            removeOutliers = value;
            return this;
        }

        public Builder threshold(Threshold value) {
            threshold = value;
            return this;
        }

        public MetricSpec build() {
            return new MetricSpec(name, kind, direction, tolerance, critical, mustHaveData, minSamples,
                group, weight, confidenceLevel, removeOutliers, threshold);
        }
    }
}
