package io.canaryjudge.rollback;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;

/** The real {@link RollbackConfig} mapping, with its defaults, from a few properties. */
final class Configs {
    private Configs() {
    }

    static RollbackConfig rollback(Map<String, String> properties) {
        Map<String, String> p = new HashMap<>(properties);
        p.putIfAbsent("canary.rollback.backoff", "10ms");
        // no system or environment sources: other tests in this JVM (Quarkus test profiles) leave properties behind
        p.putIfAbsent("java.io.tmpdir", System.getProperty("java.io.tmpdir"));
        return new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(p, "test", 500))
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withMapping(RollbackConfig.class).build().getConfigMapping(RollbackConfig.class);
    }
}
