package io.canaryjudge.template;

import io.canaryjudge.judge.sequential.SequentialConfig;

/**
 * The {@code sequential:} block over {@link SequentialConfig#defaults()}: the config's own checks become template
 * errors, a retired field says what replaced it, and the block must agree with the template's count.
 */
final class SequentialBlockRules {

    private SequentialBlockRules() {
    }

    static SequentialConfig check(SourceLines at, TemplateFile.Sequential block, int count) {
        SequentialConfig sequential = config(at, block);
        if (sequential.maxCount() != 0 && sequential.maxCount() < count) {
            throw at.error("/sequential/maxCount", "must be at least count (" + count + "): the analysis "
                    + "runs its planned count, then extends up to maxCount while a detectable regression is not yet "
                    + "ruled out");
        }
        if (block != null && block.vOpt() != null && !sequential.fastMode()) {
            throw at.error("/sequential/vOpt", "tunes fast mode only: set fastMode: true or drop vOpt");
        }
        return sequential;
    }

    private static SequentialConfig config(SourceLines at, TemplateFile.Sequential s) {
        SequentialConfig d = SequentialConfig.defaults();
        if (s == null) {
            return d;
        }
        if (s.rTol() != null) {
            throw at.error("/sequential/rTol", "replaced by each metric's tolerance and detectable "
                    + "(e.g. tolerance: {relative: 0.25}): early PROMOTE now needs every critical metric within its "
                    + "tolerance");
        }
        try {
            return new SequentialConfig(or(s.alpha(), d.alpha()), or(s.splitAlpha(), d.splitAlpha()),
                    or(s.sigma(), d.sigma()), or(s.tau(), d.tau()), s.quantiles() == null ? d.quantiles() : s.quantiles(),
                    d.tOpt(), or(s.fastMode(), d.fastMode()), or(s.vOpt(), d.vOpt()), or(s.earlyPromote(),
                    d.earlyPromote()), or(s.minPromoteIntervals(), d.minPromoteIntervals()),
                    or(s.maxCount(), d.maxCount()), or(s.tailQuantile(), d.tailQuantile()),
                    or(s.tailTolerance(), d.tailTolerance()));
        } catch (IllegalArgumentException e) {
            throw at.error("/sequential", e.getMessage());
        }
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
