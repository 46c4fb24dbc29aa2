package io.canaryjudge.rollback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** A rollback's reason and detail are stored, published and shown: a git remote's token never goes with them. */
class OutcomeRedactionTest {

    @Test
    void reasonAndDetailLoseTheUserinfoOfUrls() {
        RollbackOutcome failed = RollbackOutcome.failed("git: https://x-access-token:ghp_s3cret@git.example.com/org/config.git: "
                + "not authorized");
        assertFalse(failed.reason().contains("ghp_s3cret"), failed.reason());
        assertEquals("git: https://***@git.example.com/org/config.git: not authorized", failed.reason());
        RollbackOutcome applied = RollbackOutcome.applied("committed and pushed 0123456789ab",
                "commit 0123 to https://bot:tok@git.example.com/org/config.git main: values.yaml", "r/checkout");
        assertEquals("commit 0123 to https://***@git.example.com/org/config.git main: values.yaml", applied.detail());
    }
}
