package org.bridgeappliance.mapping;

import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The audit log in {@code audit_log}. Over-long values are shortened rather than refused: an
 * admin action must never fail, or go unrecorded, because its summary is long.
 */
final class JdbcAuditLog implements AuditLog {
    static final int MAX_ACTOR = 128;
    static final int MAX_ACTION = 64;
    static final int MAX_TARGET = 1024;
    static final int MAX_DETAIL = 2000;
    static final int MAX_PAGE = 1000;

    private final Jdbc jdbc;
    private final Clock clock;

    JdbcAuditLog(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public void record(String actor, String action, String target, String detail) {
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(detail, "detail");
        jdbc.update("record audit entry", "INSERT INTO audit_log (occurred_at, actor, action, target, detail)"
                + " VALUES (?, ?, ?, ?, ?)", s -> {
                    Jdbc.setInstant(s, 1, clock.instant());
                    s.setString(2, shorten(actor, MAX_ACTOR));
                    s.setString(3, shorten(action, MAX_ACTION));
                    s.setString(4, shorten(target, MAX_TARGET));
                    s.setString(5, shorten(detail, MAX_DETAIL));
                });
    }

    @Override
    public List<AuditEntry> recent(int offset, int limit) {
        if (offset < 0 || limit < 0 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("offset must be >= 0 and limit in 0.." + MAX_PAGE);
        }
        if (limit == 0) {
            return List.of();
        }
        // By id, not by time: ids follow insertion, timestamps may tie or step back with the clock.
        return jdbc.query("list audit entries", "SELECT id, occurred_at, actor, action, target, detail FROM audit_log"
                + " ORDER BY id DESC OFFSET ? ROWS FETCH NEXT ? ROWS ONLY", s -> {
                    s.setInt(1, offset);
                    s.setInt(2, limit);
                }, r -> new AuditEntry(r.getLong("id"), Jdbc.getInstant(r, "occurred_at"), r.getString("actor"),
                        r.getString("action"), r.getString("target"), r.getString("detail")));
    }

    /** Cuts to at most {@code max} chars, marking the cut, without splitting a surrogate pair. */
    static String shorten(String value, int max) {
        if (value.length() <= max) {
            return value;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(0, end) + "\u2026";
    }
}
