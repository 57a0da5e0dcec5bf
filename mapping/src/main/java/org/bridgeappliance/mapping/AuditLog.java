package org.bridgeappliance.mapping;

import java.time.Instant;
import java.util.List;

/** Append-only record of admin actions. */
public interface AuditLog {
    void record(String actor, String action, String target, String detail);

    /** Newest first. */
    List<AuditEntry> recent(int offset, int limit);

    /**
     * Which entries to list; a null field does not filter.
     *
     * @param actor          the admin, exactly
     * @param action         the action ({@code room.create}), exactly
     * @param targetContains a substring of the target, case-insensitive
     * @param from           entries at or after this instant
     * @param to             entries before this instant
     */
    record Filter(String actor, String action, String targetContains, Instant from, Instant to) {
        public static final Filter ALL = new Filter(null, null, null, null, null);
    }

    /** The entries {@code filter} keeps, newest first, one page. */
    List<AuditEntry> search(Filter filter, int offset, int limit);

    /** How many entries {@code filter} keeps: an exact count. */
    long count(Filter filter);
}
