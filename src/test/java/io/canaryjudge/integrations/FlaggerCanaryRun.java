package io.canaryjudge.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What Flagger's controller does with a Canary of the progressive kind (stepWeight/maxWeight), for tests that drive
 * canary-judge with the shipped deploy/flagger/canary.yaml: one pass of scheduler.go's advanceCanary per interval,
 * for the steps that call webhooks — a new revision is detected (event "New revision detected! Scaling up"), the
 * confirm-rollout gate, a revision change during the analysis (event "New revision detected! Restarting analysis",
 * then the status is reset), rollback hooks (a 2xx rolls back), promotion (Promoting → Finalising → Succeeded with the
 * post-rollout hooks), the failed-checks threshold (rollback, phase Failed, post-rollout hooks), pre-rollout hooks on
 * the first iteration and rollout hooks on every later one (a non-2xx is a failed check), the weight advanced by
 * stepWeight up to maxWeight through confirm-traffic-increase, then the confirm-promotion gate (WaitingPromotion until
 * it passes). Every hook gets CanaryWebhookPayload {name, namespace, phase, checksum, metadata}, an event hook also
 * eventMessage/eventType/timestamp in its metadata (pkg/controller/webhook.go); only HTTP 200-202 passes a hook.
 * The checksum is a hash of the revision, as Flagger's hash of its last applied spec. Traffic routing, scaling and
 * metric checks are not emulated: the Canary has no metrics of Flagger's own and the traffic is the test's.
 */
final class FlaggerCanaryRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ANALYSING = Set.of("Progressing", "Waiting", "WaitingPromotion");

    /** One webhook call: its type and name, the phase sent, the status answered and the body. */
    record Call(String type, String hook, String phase, String checksum, int status, JsonNode body,
                String eventMessage) {
        /** Flagger passes a hook on HTTP 200-202 only. */
        boolean passed() {
            return status >= 200 && status <= 202;
        }
    }

    /** How the run ended: the final phase, the weight reached, the calls made, the events recorded. */
    record End(String phase, int maxWeightReached, List<Call> calls, List<String> events) {
        List<Call> of(String type) {
            return calls.stream().filter(c -> c.type().equals(type)).toList();
        }
    }

    private final JsonNode canary;
    private final String name;
    private final String namespace;
    private final String host;
    private final String serviceUrl;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Call> calls = new ArrayList<>();
    private final List<String> events = new ArrayList<>();

    private String phase = "Succeeded";
    private String lastApplied;
    private String target;
    private int canaryWeight;
    private int failedChecks;
    private int maxWeightReached;

    /**
     * @param canary     the Canary object as in the YAML file
     * @param host       the URL prefix of the hooks in the file, replaced by {@code serviceUrl}
     * @param promoted   the revision Flagger promoted last (the primary's)
     */
    FlaggerCanaryRun(JsonNode canary, String host, String serviceUrl, String promoted) {
        this.canary = canary;
        this.name = canary.path("metadata").path("name").asText();
        this.namespace = canary.path("metadata").path("namespace").asText();
        this.host = host;
        this.serviceUrl = serviceUrl;
        this.lastApplied = checksum(promoted);
        this.target = lastApplied;
    }

    /** A new revision of the target (the Deployment's pod template changed): Flagger sees it at its next pass. */
    void deploy(String revision) {
        target = checksum(revision);
    }

    String checksum() {
        return lastApplied;
    }

    String phase() {
        return phase;
    }

    /** The latest call of a hook of {@code type}, if any. */
    java.util.Optional<Call> lastCall(String type) {
        for (int i = calls.size() - 1; i >= 0; i--) {
            if (calls.get(i).type().equals(type)) {
                return java.util.Optional.of(calls.get(i));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Runs passes every {@code interval} until the canary is Succeeded or Failed (or {@code maxPasses}), calling
     * {@code afterPass} after each pass (a person approving, a new revision being deployed).
     */
    End run(Duration interval, int maxPasses, Consumer<FlaggerCanaryRun> afterPass) throws Exception {
        for (int i = 0; i < maxPasses; i++) {
            advance();
            if (!target.equals(lastApplied) || !(phase.equals("Succeeded") || phase.equals("Failed"))) {
                afterPass.accept(this);
                Thread.sleep(interval.toMillis());
            } else {
                return new End(phase, maxWeightReached, List.copyOf(calls), List.copyOf(events));
            }
        }
        throw new AssertionError(name + " did not finish in " + maxPasses + " passes: phase " + phase + ", weight "
                + canaryWeight + ", events " + events);
    }

    /** One pass of advanceCanary. */
    void advance() throws Exception {
        JsonNode analysis = canary.path("spec").path("analysis");
        // checkCanaryStatus: a new revision of a canary at rest starts a new analysis (status synced afterwards)
        if (!ANALYSING.contains(phase) && !phase.equals("Promoting") && !phase.equals("Finalising")) {
            if (!target.equals(lastApplied)) {
                event("New revision detected! Scaling up %s.%s".formatted(name, namespace), "Normal");
                phase = "Progressing";
                lastApplied = target;
                canaryWeight = 0;
                failedChecks = 0;
            }
            return;
        }
        // runConfirmRolloutHooks
        if (!gate("confirm-rollout", "Progressing")) {
            if (!phase.equals("Waiting")) {
                phase = "Waiting";
                event("Halt %s.%s advancement waiting for approval".formatted(name, namespace), "Warning");
            }
            return;
        }
        if (phase.equals("Waiting")) {
            phase = "Progressing";
        }
        // hasCanaryRevisionChanged: the event is recorded with the old status, then the status is reset
        if (ANALYSING.contains(phase) && !target.equals(lastApplied)) {
            event("New revision detected! Restarting analysis for %s.%s".formatted(name, namespace), "Normal");
            phase = "Progressing";
            lastApplied = target;
            canaryWeight = 0;
            failedChecks = 0;
            return;
        }
        // runRollbackHooks: a rollback hook that passes rolls back
        if (ANALYSING.contains(phase) && hooks("rollback", phase).stream().anyMatch(Call::passed)) {
            event("Rolling back %s.%s manual webhook invoked".formatted(name, namespace), "Warning");
            rollback();
            return;
        }
        if (phase.equals("Promoting")) {
            canaryWeight = 0;
            phase = "Finalising";
            event("Routing all traffic to primary", "Normal");
            return;
        }
        if (phase.equals("Finalising")) {
            hooks("post-rollout", "Succeeded");
            phase = "Succeeded";
            event("Promotion completed! Scaling down %s.%s".formatted(name, namespace), "Normal");
            return;
        }
        if (failedChecks >= analysis.path("threshold").asInt()) {
            event("Rolling back %s.%s failed checks threshold reached %d".formatted(name, namespace, failedChecks),
                    "Warning");
            rollback();
            return;
        }
        if (canaryWeight == 0) {
            event("Starting canary analysis for %s.%s".formatted(name, namespace), "Normal");
            if (!gate("pre-rollout", "Progressing")) {
                failedChecks++;
                return;
            }
        } else {
            // runAnalysis: the rollout hooks, then Flagger's own metric checks (none in the shipped Canary)
            for (Call c : hooks("rollout", "Progressing")) {
                if (!c.passed()) {
                    failedChecks++;
                    event("Halt %s.%s advancement external check %s failed".formatted(name, namespace, c.hook()),
                            "Warning");
                    return;
                }
            }
        }
        int maxWeight = analysis.path("maxWeight").asInt(100);
        if (canaryWeight < maxWeight) {
            if (!gate("confirm-traffic-increase", "Progressing")) {
                return;
            }
            canaryWeight = Math.min(canaryWeight + analysis.path("stepWeight").asInt(), maxWeight);
            maxWeightReached = Math.max(maxWeightReached, canaryWeight);
            event("Advance %s.%s canary weight %d".formatted(name, namespace, canaryWeight), "Normal");
            return;
        }
        // runConfirmPromotionHooks
        for (Call c : hooks("confirm-promotion", "Progressing")) {
            if (!c.passed()) {
                if (!phase.equals("WaitingPromotion")) {
                    phase = "WaitingPromotion";
                    event("Halt %s.%s advancement waiting for promotion approval %s".formatted(name, namespace,
                            c.hook()), "Warning");
                }
                return;
            }
            event("Confirm-promotion check %s passed".formatted(c.hook()), "Normal");
        }
        event("Copying %s.%s template spec to %s-primary.%s".formatted(name, namespace, name, namespace), "Normal");
        phase = "Promoting";
    }

    private void rollback() throws Exception {
        if (failedChecks >= canary.path("spec").path("analysis").path("threshold").asInt()) {
            event("Canary failed! Scaling down %s.%s".formatted(name, namespace), "Warning");
        }
        canaryWeight = 0;
        phase = "Failed";
        hooks("post-rollout", "Failed");
    }

    /** Every hook of {@code type} passes (true when there is none). */
    private boolean gate(String type, String sentPhase) throws Exception {
        return hooks(type, sentPhase).stream().allMatch(Call::passed);
    }

    private List<Call> hooks(String type, String sentPhase) throws Exception {
        List<Call> out = new ArrayList<>();
        for (JsonNode w : canary.path("spec").path("analysis").path("webhooks")) {
            if (w.path("type").asText("rollout").equals(type)) {
                ObjectNode payload = payload(sentPhase);
                payload.set("metadata", w.path("metadata").deepCopy());
                out.add(call(w, payload, null));
            }
        }
        return out;
    }

    /** The event hooks, called with the status as it is now (recordEventInfof/recordEventWarningf). */
    private void event(String message, String type) throws Exception {
        events.add(message);
        for (JsonNode w : canary.path("spec").path("analysis").path("webhooks")) {
            if (w.path("type").asText().equals("event")) {
                ObjectNode payload = payload(phase);
                ObjectNode metadata = payload.putObject("metadata");
                metadata.put("eventMessage", message);
                metadata.put("eventType", type);
                metadata.put("timestamp", Long.toString(System.currentTimeMillis()));
                w.path("metadata").fields().forEachRemaining(f -> {
                    if (!metadata.has(f.getKey())) {
                        metadata.set(f.getKey(), f.getValue());
                    }
                });
                call(w, payload, message);
            }
        }
    }

    private ObjectNode payload(String sentPhase) {
        ObjectNode p = JSON.createObjectNode();
        p.put("name", name);
        p.put("namespace", namespace);
        p.put("phase", sentPhase);
        p.put("checksum", lastApplied);
        return p;
    }

    private Call call(JsonNode w, ObjectNode payload, String eventMessage) throws Exception {
        String url = w.path("url").asText();
        if (!url.startsWith(host)) {
            throw new AssertionError("hook " + w.path("name").asText() + " calls " + url + ", not " + host);
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(serviceUrl + url.substring(host.length())))
                .timeout(Duration.parse("PT" + w.path("timeout").asText("10s").toUpperCase()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(payload))).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
        Call c = new Call(w.path("type").asText("rollout"), w.path("name").asText(), payload.path("phase").asText(),
                payload.path("checksum").asText(), r.statusCode(), body, eventMessage);
        calls.add(c);
        return c;
    }

    /** A short hash of a revision, as Flagger's checksum of the last applied spec. */
    private static String checksum(String revision) {
        return Fingerprints.sha256(revision).substring(0, 10);
    }
}
