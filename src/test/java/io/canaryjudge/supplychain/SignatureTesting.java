package io.canaryjudge.supplychain;

import io.canaryjudge.testing.RegistryServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** A {@link Signatures} policy from a few properties, with keys written to PEM files, against a test registry. */
public final class SignatureTesting {
    private SignatureTesting() {
    }

    /** The real mapping with its defaults; {@code keys} become canary.signatures.keys.&lt;name&gt; PEM files in dir. */
    public static Signatures signatures(RegistryServer registry, Path dir, Map<String, KeyPair> keys,
                                        Map<String, String> properties, SimpleMeterRegistry meters) throws IOException {
        Map<String, String> p = new HashMap<>(properties);
        for (Map.Entry<String, KeyPair> k : keys.entrySet()) {
            Path pem = dir.resolve(k.getKey() + ".pub");
            Files.writeString(pem, AcceptedKey.of(k.getValue().getPublic()).pem());
            p.put("canary.signatures.keys." + k.getKey(), pem.toString());
        }
        p.putIfAbsent("canary.signatures.insecure-registries", registry.host());
        p.putIfAbsent("canary.signatures.timeout", "3s");
        p.putIfAbsent("java.io.tmpdir", System.getProperty("java.io.tmpdir"));
        SignatureConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors()
            .withSources(new PropertiesConfigSource(p, "test", 500))
            .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
            .withMapping(SignatureConfig.class).build().getConfigMapping(SignatureConfig.class);
        return new Signatures(config, Clock.systemUTC(), meters);
    }

    /** The repository part of a pushed image: what a deployment event names in {@code image}. */
    public static String repository(ImageReference image) {
        return image.registry() + "/" + image.repository();
    }
}
