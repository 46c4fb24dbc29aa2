package io.canaryjudge.metrics;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;

/**
 * The headers of every request to Prometheus: {@code Accept}, the configured extra headers, and the credentials — a
 * bearer token or basic auth, from the configuration (computed once) or from a credential file (read per request, so
 * a rotated Secret is picked up; a file wins over a value).
 */
final class PrometheusHeaders {
    /** Accept, the extra headers and a configured credential. */
    private final Map<String, String> fixed = new LinkedHashMap<>();
    /** Authorization from a credential file, or null. */
    private final Supplier<String> authorization;

    PrometheusHeaders(PrometheusConfig config) {
        fixed.put("Accept", "application/json");
        config.headers().forEach(fixed::put);
        Supplier<String> fromFile = null;
        if (config.bearerTokenFile().isPresent()) {
            SecretFile token = new SecretFile(config.bearerTokenFile().get());
            fromFile = () -> "Bearer " + token.value();
        } else if (config.passwordFile().isPresent() && config.username().filter(u -> !u.isBlank()).isPresent()) {
            SecretFile password = new SecretFile(config.passwordFile().get());
            String user = config.username().get();
            fromFile = () -> basic(user + ":" + password.value());
        } else if (config.bearerToken().filter(t -> !t.isBlank()).isPresent()) {
            fixed.put("Authorization", "Bearer " + config.bearerToken().get());
        } else if (config.username().filter(u -> !u.isBlank()).isPresent()) {
            fixed.put("Authorization", basic(config.username().get() + ":" + config.password().orElse("")));
        }
        this.authorization = fromFile;
    }

    /** Sets the headers on {@code r}. */
    <T extends HttpUriRequestBase> T on(T r) {
        fixed.forEach(r::setHeader);
        if (authorization != null) {
            r.setHeader("Authorization", authorization.get());
        }
        return r;
    }

    private static String basic(String pair) {
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
}
