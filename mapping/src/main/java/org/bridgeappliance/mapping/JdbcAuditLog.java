package org.bridgeappliance.mapping;

import java.time.Clock;
import java.time.Instant;
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

    @Override
    public List<AuditEntry> search(Filter filter, int offset, int limit) {
        if (offset < 0 || limit < 0 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("offset must be >= 0 and limit in 0.." + MAX_PAGE);
        }
        if (limit == 0) {
            return List.of();
        }
        Where where = Where.of(filter);
        return jdbc.query("search audit entries", "SELECT id, occurred_at, actor, action, target, detail FROM audit_log"
                + where.sql() + " ORDER BY id DESC OFFSET ? ROWS FETCH NEXT ? ROWS ONLY", s -> {
                    int i = where.bind(s);
                    s.setInt(i, offset);
                    s.setInt(i + 1, limit);
                }, r -> new AuditEntry(r.getLong("id"), Jdbc.getInstant(r, "occurred_at"), r.getString("actor"),
                        r.getString("action"), r.getString("target"), r.getString("detail")));
    }

    @Override
    public long count(Filter filter) {
        Where where = Where.of(filter);
        return jdbc.queryOne("count audit entries", "SELECT COUNT(*) FROM audit_log" + where.sql(), where::bind,
                r -> r.getLong(1)).orElse(0L);
    }

    /** A filter as a WHERE clause and the values of its parameters, in order. */
    private record Where(String sql, List<Object> values) {
        static Where of(Filter f) {
            Objects.requireNonNull(f, "filter");
            List<String> terms = new java.util.ArrayList<>();
            List<Object> values = new java.util.ArrayList<>();
            if (f.actor() != null) {
                terms.add("actor = ?");
                values.add(f.actor());
            }
            if (f.action() != null) {
                terms.add("action = ?");
                values.add(f.action());
            }
            if (f.targetContains() != null) {
                terms.add("LOWER(target) LIKE ? ESCAPE '!'");
                values.add("%" + f.targetContains().toLowerCase(java.util.Locale.ROOT).replace("!", "!!")
                        .replace("%", "!%").replace("_", "!_") + "%");
            }
            if (f.from() != null) {
                terms.add("occurred_at >= ?");
                values.add(f.from());
            }
            if (f.to() != null) {
                terms.add("occurred_at < ?");
                values.add(f.to());
            }
            return new Where(terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms), values);
        }

        /** Binds the values from parameter 1; returns the next parameter index. */
        int bind(java.sql.PreparedStatement s) throws java.sql.SQLException {
            int i = 1;
            for (Object v : values) {
                if (v instanceof Instant t) {
                    Jdbc.setInstant(s, i++, t);
                } else {
                    s.setString(i++, (String) v);
                }
            }
            return i;
        }
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
