package org.bridgeappliance.mapping;

import java.util.List;

/** Append-only record of admin actions. */
public interface AuditLog {
    void record(String actor, String action, String target, String detail);

    /** Newest first. */
    List<AuditEntry> recent(int offset, int limit);
}
