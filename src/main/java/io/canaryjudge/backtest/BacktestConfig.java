package io.canaryjudge.backtest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Bounds of one backtest request: it runs synchronously, so its work must stay bounded. */
@ConfigMapping(prefix = "canary.backtest")
public interface BacktestConfig {
    /** Most analysis windows of one A/A backtest (env CANARY_BACKTEST_MAX_WINDOWS); more is a 400. */
    @WithDefault("500")
    int maxWindows();

    /**
     * Most points one range query asks for; longer spans are read in chunks. Prometheus refuses more than
     * 11,000 points per series (env CANARY_BACKTEST_MAX_POINTS_PER_QUERY).
     */
    @WithDefault("11000")
    int maxPointsPerQuery();

    /** Most points read per query and cohort over the whole backtest (memory bound; env CANARY_BACKTEST_MAX_POINTS). */
    @WithDefault("200000")
    long maxPoints();

    /**
     * Most instant queries one backtest may send for sequential mode's raw counter and bucket selectors, which are
     * read per measurement (env CANARY_BACKTEST_MAX_RAW_QUERIES).
     */
    @WithDefault("5000")
    long maxRawQueries();
}
