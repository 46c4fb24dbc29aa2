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

    /** How often the {@code canary_dora_*} gauges are recomputed from the store. */
    @WithDefault("60s")
    Duration refresh();
}
