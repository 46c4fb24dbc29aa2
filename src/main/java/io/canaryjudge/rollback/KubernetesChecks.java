package io.canaryjudge.rollback;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Checks and the lazily built client shared by the Kubernetes strategies. */
final class KubernetesChecks {
    private KubernetesChecks() {
    }

    /**
     * {@code factory}'s value, asked for on first use and then kept: building the Kubernetes client (and reading
     * its configuration) waits until a rollback needs it.
     */
    static <T> Supplier<T> once(Supplier<T> factory) {
        return new Supplier<>() {
            private volatile T value;

            @Override
            public T get() {
                T v = value;
                if (v == null) {
                    v = factory.get();
                    value = v;
                }
                return v;
            }
        };
    }

    /** Index of the named container, or of the only one when none is named; -1 when there is no such one. */
    static int containerIndex(List<String> names, String wanted) {
        if (wanted == null) {
            return names.size() == 1 ? 0 : -1;
        }
        return names.indexOf(wanted);
    }

    /**
     * The running image decides whether there is anything to do: already the stable digest (done, e.g. by a
     * previous attempt), the canary (roll back), anything else (a tag, or a newer deployment: never touch it).
     */
    static Optional<RollbackOutcome> checkCurrent(RollbackRequest r, String container, String currentImage) {
        Images.Ref current = Images.parse(currentImage);
        if (!current.pinned()) {
            return Optional.of(RollbackOutcome.refused(r.workload() + " container " + container + " runs " + currentImage
                    + ", a tag, not a digest: cannot tell it is the canary (digests only, never tags)"));
        }
        if (current.digest().equals(r.stableDigest())) {
            return Optional.of(RollbackOutcome.applied("already at the stable digest, nothing changed",
                    "container " + container + " image " + currentImage, current.repository()));
        }
        if (!current.digest().equals(r.canaryDigest())) {
            return Optional.of(RollbackOutcome.refused(r.workload() + " container " + container + " runs "
                    + Images.shortly(current.digest()) + ", neither the canary " + Images.shortly(r.canaryDigest())
                    + " nor the stable digest: a newer deployment happened, left alone"));
        }
        return Optional.empty();
    }
}
