package org.bridgeappliance.mapping;

import java.time.Instant;
import java.util.Objects;

/**
 * One admin action: who did what to which object. {@code detail} is a short human-readable summary
 * and never contains secrets.
 */
public record AuditEntry(long id, Instant at, String actor, String action, String target, String detail) {
    public AuditEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(detail, "detail");
    }
}
