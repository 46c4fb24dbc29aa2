package io.canaryjudge;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The records of one outgoing Kafka channel that were sent and are neither acknowledged nor refused yet. At most
 * {@code size} of them: the channel's emitter buffers as many, so it never overflows (an overflowing emitter fails
 * its stream and the channel sends nothing more until a restart). At most one per CloudEvent id: a re-send while
 * the first send is pending would put the same event on the topic twice once the broker answers. And after Kafka
 * refused a send, no new one until a backoff (doubled per refusal in a row, reset by an acknowledgement) has passed:
 * while the broker is down each send would only wait for its delivery timeout.
 */
public final class PublicationWindow {
    private final Semaphore slots;
    private final int size;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private final Clock clock;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private Duration backoff;
    private Instant closedUntil = Instant.MIN;

    public PublicationWindow(int size, Clock clock, Duration firstBackoff, Duration maxBackoff) {
        this.size = size;
        this.slots = new Semaphore(size);
        this.clock = clock;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.backoff = firstBackoff;
    }

    /**
     * Takes a slot for the record with CloudEvent id {@code id}, waiting at most {@code wait} for a free one. False
     * (nothing taken) when a send of that id is pending, Kafka refused a send less than the backoff ago, or no slot
     * came free: the record stays unpublished and a later sweep sends it.
     */
    public boolean tryClaim(String id, Duration wait) {
        if (backingOff() || !pending.add(id)) {
            return false;
        }
        boolean slot;
        try {
            slot = wait.isZero() ? slots.tryAcquire() : slots.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            slot = false;
        }
        if (!slot) {
            pending.remove(id);
        }
        return slot;
    }

    /**
     * Frees the slot of {@code id}: acknowledged ({@code failure} null) ends any backoff; refused starts the backoff,
     * or doubles it when the refusal comes after the previous backoff ended (the sends refused together while the
     * broker went away count once).
     */
    public void release(String id, Throwable failure) {
        synchronized (this) {
            if (failure == null) {
                backoff = firstBackoff;
                closedUntil = Instant.MIN;
            } else if (!backingOff()) {
                closedUntil = clock.instant().plus(backoff);
                backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            }
        }
        cancel(id);
    }

    /** Frees the slot of {@code id} without a send (nothing was sent after all): the backoff stays as it is. */
    public void cancel(String id) {
        if (pending.remove(id)) {
            slots.release();
        }
    }

    /** Whether Kafka refused the last send less than the backoff ago. */
    public synchronized boolean backingOff() {
        return clock.instant().isBefore(closedUntil);
    }

    /** Sends taken and not yet answered. */
    public int inFlight() {
        return size - slots.availablePermits();
    }
}
