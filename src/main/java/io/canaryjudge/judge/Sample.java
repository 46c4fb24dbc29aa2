package io.canaryjudge.judge;

/** The data of one metric for both cohorts. */
public sealed interface Sample {

    /** Values per cohort (NaN allowed: the judge drops and counts them). Arrays are copied. */
    record Continuous(double[] canary, double[] stable) implements Sample {
        public Continuous {
            if (canary == null) {
                throw new IllegalArgumentException("canary == null");
            }
            if (stable == null) {
                throw new IllegalArgumentException("stable == null");
            }
            canary = canary.clone();
            stable = stable.clone();
        }

        @Override
        public double[] canary() {
            return canary.clone();
        }

        @Override
        public double[] stable() {
            return stable.clone();
        }
    }

    /** Events and their exposure (requests, seconds) per cohort; Prometheus' fractional counts are rounded. */
    record Counts(double canaryEvents, double canaryExposure, double stableEvents, double stableExposure)
        implements Sample {
        public Counts {
            requireCount(canaryEvents, "canaryEvents");
            requireCount(canaryExposure, "canaryExposure");
            requireCount(stableEvents, "stableEvents");
            requireCount(stableExposure, "stableExposure");
        }

        private static void requireCount(double value, String name) {
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(name + " must be finite and >= 0");
            }
        }
    }
}
