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
     * Most judged analyses one set of figures is computed from. Each is held in memory while the figures are
     * computed, so beyond this a request is refused (400, narrow the window or filter) and the gauges show NaN with a
     * warning, instead of exhausting the heap: the scale run found 10^6 analyses in the window exhausting 512 MB.
     */
    @WithDefault("100000")
    int maxDeployments();

    /** How often the {@code canary_dora_*} gauges are recomputed from the store. */
    @WithDefault("60s")
    Duration refresh();
}
