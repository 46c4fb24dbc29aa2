package io.canaryjudge.dora;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** DORA figures: default window of the REST endpoint and the window and refresh of the exported gauges. */
@ConfigMapping(prefix = "canary.dora")
public interface DoraConfig {
    /** Window of {@code GET /api/v1/dora} without {@code since}, and of the {@code canary_dora_*} gauges. */
    @WithDefault("30d")
    Duration window();

    /** Longest window a request may ask for (each request reads every judged analysis of its window). */
    @WithDefault("400d")
    Duration maxWindow();

    /**
     * Most judged analyses one set of figures reads. The figures are computed one service at a time from a stream of
     * the window's analyses (memory: one service's deployments and 8 bytes per duration), so this only bounds the time of
     * one request or refresh: beyond it a request is refused (400, narrow the window or filter) and the gauges
     * show NaN with a warning.
     */
    @WithDefault("10000000")
    long maxDeployments();

    /** How often the {@code canary_dora_*} gauges are recomputed from the store. */
    @WithDefault("60s")
    Duration refresh();
}
