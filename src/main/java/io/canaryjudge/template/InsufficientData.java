package io.canaryjudge.template;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What an analysis does when, at its last measurement, a critical metric still has too little data
 * (low traffic): end INCONCLUSIVE (the default), extend by one interval at a time up to
 * {@code maxExtensions}, or fail (ABORT). Never PROMOTE.
 */
public record InsufficientData(Action action, Integer maxExtensions) {
    public static final InsufficientData DEFAULT = new InsufficientData(Action.INCONCLUSIVE, 0);

    /** The closed set of actions. */
    public enum Action {
        @JsonProperty("inconclusive") INCONCLUSIVE,
        @JsonProperty("extend") EXTEND,
        @JsonProperty("fail") FAIL
    }

    public Action actionOrDefault() {
        return action == null ? Action.INCONCLUSIVE : action;
    }

    public int maxExtensionsOrDefault() {
        return maxExtensions == null ? (actionOrDefault() == Action.EXTEND ? 3 : 0) : maxExtensions;
    }
}
