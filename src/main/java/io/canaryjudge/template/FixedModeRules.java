package io.canaryjudge.template;

import java.util.List;

/**
 * Mode {@code fixed}: the fields only sequential mode reads are refused rather than ignored, each with what the
 * fixed-horizon judge does instead.
 */
final class FixedModeRules {

    private FixedModeRules() {
    }

    static void check(SourceLines at, TemplateFile file, List<MetricTemplate> metrics) {
        if (file.sequential() != null) {
            throw at.error("/sequential", "only with mode: sequential (the default), not with mode: fixed");
        }
        for (int i = 0; i < metrics.size(); i++) {
            MetricTemplate m = metrics.get(i);
            if (m.buckets() != null) {
                throw at.error("/metrics/" + i + "/buckets", "only with mode: sequential (fixed mode "
                        + "judges the query's points; use histogram_quantile over sum by (le) there)");
            }
            if (m.rawCounters()) {
                throw at.error("/metrics/" + i + "/" + (m.eventsCounter() != null ? "eventsCounter"
                        : "exposureCounter"), "only with mode: sequential (fixed mode reads events and exposure "
                        + "queries)");
            }
        }
        for (int i = 0; i < metrics.size(); i++) {
            MetricTemplate m = metrics.get(i);
            if (m.detectable() != null) {
                throw at.error("/metrics/" + i + "/detectable", "only with mode: sequential (the "
                        + "fixed-horizon judge has no power rule; its tolerance alone sets what counts)");
            }
            if (m.test() != null) {
                throw at.error("/metrics/" + i + "/test", "only with mode: sequential (the "
                        + "fixed-horizon judge compares all points of the analysis with one rank-sum test)");
            }
        }
    }
}
