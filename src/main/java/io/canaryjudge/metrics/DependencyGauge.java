package io.canaryjudge.metrics;

import io.canaryjudge.DaemonThreads;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * {@code canary_dependency_up{dependency}}: 1 when a dependency answered its last check, 0 when it did not, -1 before
 * the first. A scrape never waits for a check: when the value is older than {@link #MAX_AGE_NANOS} it starts one on a
 * shared background thread and answers the last value; every health check call records its result too.
 */
public final class DependencyGauge {
    static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final ExecutorService REFRESH = Executors.newSingleThreadExecutor(DaemonThreads.named("dependency-probe"));

    private final AtomicInteger up = new AtomicInteger(-1);
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final BooleanSupplier probe;
    private volatile long checkedAt;
    private volatile boolean checked;

    public DependencyGauge(String dependency, MeterRegistry registry, BooleanSupplier probe) {
        this.probe = probe;
        Gauge.builder("canary.dependency.up", this, DependencyGauge::value)
                .description("1 when the dependency answered its last check, 0 when it did not (-1: not checked yet)")
                .tag("dependency", dependency).register(registry);
    }

    public void record(boolean ok) {
        up.set(ok ? 1 : 0);
        checkedAt = System.nanoTime();
        checked = true;
    }

    double value() {
        if ((!checked || System.nanoTime() - checkedAt > MAX_AGE_NANOS) && refreshing.compareAndSet(false, true)) {
            REFRESH.execute(() -> {
                try {
                    record(probe.getAsBoolean());
                } finally {
                    refreshing.set(false);
                }
            });
        }
        return up.get();
    }
}
