package io.canaryjudge.analysis;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.canaryjudge.metrics.Series;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A cohort selector that matches several workloads is reported, never summed (kayenta#553). */
class WorkloadsTest {

    private static Series series(Map<String, String> labels) {
        return new Series(labels, new double[] {0}, new double[] {1});
    }

    @Test
    void seriesOfSeveralServicesAreAnErrorNamingThem() {
        List<Series> mixed = List.of(series(Map.of("service", "checkout", "track", "canary", "pod", "a")),
            series(Map.of("service", "cart", "track", "canary", "pod", "b")));
        MetricReader.SeriesException e = assertThrows(MetricReader.SeriesException.class,
            () -> Workloads.requireOne(mixed, "canary", "eventsCounter", Workloads.DEFAULT_LABELS));
        assertEquals("the eventsCounter selector matches 2 workloads for the canary cohort (service=\"cart\", "
            + "service=\"checkout\"): give the event's canary labels the workload's namespace/service/app so one "
            + "workload is compared; nothing was summed", e.getMessage());
    }

    @Test
    void podsOfOneWorkloadAndSeriesWithoutTheLabelsAreFine() {
        assertDoesNotThrow(() -> Workloads.requireOne(List.of(series(Map.of("service", "cart", "pod", "a")),
            series(Map.of("service", "cart", "pod", "b")), series(Map.of("pod", "c"))), "stable", "buckets",
            Workloads.DEFAULT_LABELS));
        assertEquals(List.of("namespace", "service", "app"), Workloads.labels(), "the default without configuration");
    }
}
