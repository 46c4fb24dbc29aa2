package io.canaryjudge.verdict;

import io.canaryjudge.DaemonThreads;
import io.canaryjudge.KafkaAcks;
import io.canaryjudge.PublicationWindow;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Publishes verdicts as CloudEvents (binary mode) on {@code canary-verdicts}, key {@code namespace/service}.
 * The CloudEvent id is derived from the analysis id, so a re-publication after a crash carries the same id
 * and consumers can deduplicate. The analysis is marked published only once the broker acknowledged it.
 *
 * <p>Sends are bounded and back-pressured ({@link PublicationWindow}): at most {@link #WINDOW} verdicts are
 * unanswered at a time (the emitter buffers as many, so it never overflows), a verdict is never sent again while
 * its send is pending, and after Kafka refused one no verdict is sent until a backoff passed. What is not sent now
 * stays unpublished in the store; the engine's sweep hands the unpublished verdicts to {@link #resend}, which sends
 * them oldest first, the next one as soon as an earlier one is answered.
 */
@ApplicationScoped
public class VerdictPublisher {
    public static final String VERDICT_TYPE = "io.canaryjudge.verdict.v1";
    /**
     * An analysis that ended without a verdict because a newer canary of the same service and source superseded it,
     * or a cancel event stopped it: same topic, key and id scheme as a verdict, phase CANCELLED, verdict null.
     */
    public static final String CANCELLED_TYPE = "io.canaryjudge.analysis.cancelled.v1";
    /** Verdict records sent and not yet acknowledged or refused, at most; also the emitter's buffer. */
    static final int WINDOW = 64;
    /** How long a freshly finished analysis' worker waits for a free slot before leaving its verdict to the sweep. */
    private static final Duration WAIT_FOR_SLOT = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(VerdictPublisher.class);
    private static final URI SOURCE = URI.create("/canary-judge");

    private final Emitter<String> emitter;
    private final AnalysisStore store;
    private final Clock clock;
    private final PublicationWindow window;
    /** Unpublished verdicts a sweep found, waiting for a slot (oldest first). */
    private final Queue<String> backlog = new ConcurrentLinkedQueue<>();
    /** Acknowledgements are stored here, off Kafka's network thread (a store write must not hold up the producer). */
    private final java.util.concurrent.ExecutorService answers = Executors.newSingleThreadExecutor(
            DaemonThreads.named("canary-verdict-acks"));
    private final AtomicInteger unpublished = new AtomicInteger();

    VerdictPublisher(@Channel("canary-verdicts") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = WINDOW)
                     Emitter<String> emitter, AnalysisStore store, Clock clock, MeterRegistry registry) {
        this.emitter = emitter;
        this.store = store;
        this.clock = clock;
        this.window = new PublicationWindow(WINDOW, clock, Duration.ofSeconds(1), Duration.ofSeconds(30));
        registry.gauge("canary.verdicts.unpublished", unpublished);
        registry.gauge("canary.verdicts.publishing", window, PublicationWindow::inFlight);
    }

    /**
     * Sends the stored verdict of an analysis that just completed (or was just decided by a person). Never throws,
     * so that the caller's {@link AnalysisFinished} is fired whatever Kafka does: when the verdict cannot be sent now
     * (window full, Kafka refusing, the send failing), the returned stage fails and the verdict stays unpublished for
     * the sweep.
     */
    public CompletionStage<Void> publish(AnalysisRecord a) {
        try {
            String id = cloudEventId(a.id());
            if (!window.tryClaim(id, WAIT_FOR_SLOT)) {
                LOG.infof("analysis=%s verdict=%s published=false deferred=true (Kafka refusing or %d sends pending)",
                        a.id(), a.verdict(), window.inFlight());
                return CompletableFuture.failedFuture(new IllegalStateException("deferred to the next sweep"));
            }
            return send(a, id);
        } catch (RuntimeException e) {
            LOG.warnf("analysis=%s verdict=%s published=false error=%s", a.id(), a.verdict(), e.toString());
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Re-sends verdicts that Kafka has not acknowledged, in the given order (oldest first), at most {@link #WINDOW}
     * at a time: the next is sent when an earlier one is answered. A sweep that comes while the previous one's
     * verdicts are still being sent, or while Kafka is refusing sends, adds nothing (it only lets a stopped backlog
     * go on).
     *
     * @param due         the unpublished verdicts this replica should send now
     * @param unpublished how many verdicts the store holds unpublished in all (the gauge)
     */
    public void resend(List<AnalysisRecord> due, int unpublished) {
        this.unpublished.set(unpublished);
        if (backlog.isEmpty() && !window.backingOff()) {
            due.forEach(a -> backlog.add(a.id()));
        }
        drain();
    }

    /** Sends backlog verdicts while slots are free. */
    private synchronized void drain() {
        String next;
        while (!window.backingOff() && window.inFlight() < WINDOW && (next = backlog.poll()) != null) {
            try {
                String id = cloudEventId(next);
                if (!window.tryClaim(id, Duration.ZERO)) {
                    continue; // pending already (sent by the worker that finished it), or the window just filled
                }
                // read after the claim: a send acknowledged meanwhile marked it published before its release
                Optional<AnalysisRecord> a = store.find(next);
                if (a.isEmpty() || a.get().verdictJson() == null || a.get().publishedAt() != null) {
                    window.cancel(id);
                    continue;
                }
                send(a.get(), id);
            } catch (RuntimeException e) {
                LOG.warnf("analysis=%s re-send failed: %s", next, e.toString());
                backlog.clear(); // the next sweep starts over from the store
                return;
            }
        }
    }

    /** Sends a verdict whose slot is claimed; the answer frees the slot and lets the backlog go on. */
    private CompletionStage<Void> send(AnalysisRecord a, String id) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        OutgoingCloudEventMetadata<String> ce = OutgoingCloudEventMetadata.<String>builder()
                .withId(id)
                .withType(a.phase() == Phase.CANCELLED ? CANCELLED_TYPE : VERDICT_TYPE)
                .withSource(SOURCE)
                .withSubject(a.id())
                .withDataContentType("application/json")
                .withTimestamp(a.completedAt().atZone(ZoneOffset.UTC))
                .build();
        OutgoingKafkaRecordMetadata<String> kafka = OutgoingKafkaRecordMetadata.<String>builder().withKey(a.key()).build();
        try {
            emitter.send(KafkaAcks.completing(Message.of(a.verdictJson(), Metadata.of(ce, kafka)), written));
        } catch (RuntimeException e) {
            written.completeExceptionally(e);
        }
        return written.whenCompleteAsync((x, e) -> {
            try {
                if (e == null) {
                    store.markPublished(a.id(), clock.instant());
                    LOG.infof("analysis=%s verdict=%s published=true", a.id(), a.verdict());
                } else {
                    LOG.warnf("analysis=%s verdict=%s published=false error=%s", a.id(), a.verdict(), e.toString());
                    backlog.clear(); // Kafka refuses: the sweep after the backoff starts over from the store
                }
            } finally {
                window.release(id, e);
                drain();
            }
        }, answers);
    }

    /**
     * A human decision re-publishes the analysis with a new verdict: a new CloudEvent id per decision, stable
     * across re-publication of that same decision.
     */
    private String cloudEventId(String analysisId) {
        int decisions = store.decisions(analysisId).size();
        return "verdict-" + analysisId + (decisions == 0 ? "" : "-decision-" + decisions);
    }

    /** The acknowledgement thread ends with the application (a restarted application must not keep the old one). */
    @jakarta.annotation.PreDestroy
    void stopAnswers() {
        answers.shutdown();
    }
}
