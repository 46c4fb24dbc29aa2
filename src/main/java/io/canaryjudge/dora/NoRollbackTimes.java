package io.canaryjudge.dora;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;

/** No rollback records: the default until a rollback feature provides {@link RollbackTimes}. */
@ApplicationScoped
@DefaultBean
class NoRollbackTimes implements RollbackTimes {

    @Override
    public Map<String, Instant> appliedSince(Instant since) {
        return Map.of();
    }
}
