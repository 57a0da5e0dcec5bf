package org.bridgeappliance.admin.auth;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.admin.AdminConfig;

/**
 * Browser sessions of the admin UI, in memory (a restart logs everyone out, which is acceptable
 * for an appliance). A session has a random id (the cookie value) and its own CSRF token. It ends
 * after {@code sessionIdleTimeout} without use, {@code sessionMaxAge} after login, at logout, or
 * when its admin's password changes or the admin is deleted.
 *
 * <p>The map is keyed by the SHA-256 of the id, so that lookup time says nothing about the id.
 */
@Singleton
public class SessionStore {
    private final Duration idleTimeout;
    private final Duration maxAge;
    private final int maxSessions;
    private final Clock clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /** One browser session; {@code lastUsed} moves, the rest is fixed. */
    public static final class Session {
        private final String id;
        private final String username;
        private final String csrfToken;
        private final Instant createdAt;
        private volatile Instant lastUsed;

        Session(String id, String username, String csrfToken, Instant createdAt) {
            this.id = id;
            this.username = username;
            this.csrfToken = csrfToken;
            this.createdAt = createdAt;
            this.lastUsed = createdAt;
        }

        public String id() {
            return id;
        }

        public String username() {
            return username;
        }

        public String csrfToken() {
            return csrfToken;
        }

        public Instant createdAt() {
            return createdAt;
        }

        public Instant lastUsed() {
            return lastUsed;
        }
    }

    @Inject
    public SessionStore(AdminConfig config) {
        this(config.getSessionIdleTimeout(), config.getSessionMaxAge(), config.getMaxSessions(), Clock.systemUTC());
    }

    SessionStore(Duration idleTimeout, Duration maxAge, int maxSessions, Clock clock) {
        this.idleTimeout = Objects.requireNonNull(idleTimeout);
        this.maxAge = Objects.requireNonNull(maxAge);
        if (maxSessions < 1) {
            throw new IllegalArgumentException("bridge.admin.max-sessions must be at least 1");
        }
        this.maxSessions = maxSessions;
        this.clock = clock;
    }

    public Session create(String username) {
        Instant now = clock.instant();
        if (sessions.size() >= maxSessions) {
            purgeExpired(now);
            while (sessions.size() >= maxSessions) {
                sessions.entrySet().stream()
                        .min(Comparator.comparing(e -> e.getValue().lastUsed()))
                        .ifPresent(e -> sessions.remove(e.getKey()));
            }
        }
        Session session = new Session(Tokens.random(), username, Tokens.random(), now);
        sessions.put(Tokens.sha256(session.id()), session);
        return session;
    }

    /** The live session with this id, touched; empty if unknown or expired (an expired one is removed). */
    public Optional<Session> find(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return Optional.empty();
        }
        String key = Tokens.sha256(id);
        Session session = sessions.get(key);
        if (session == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(session, now)) {
            sessions.remove(key);
            return Optional.empty();
        }
        session.lastUsed = now;
        return Optional.of(session);
    }

    /** Whether the session with this id exists and has not expired; unlike {@link #find} it does not count as use. */
    public boolean isLive(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return false;
        }
        Session session = sessions.get(Tokens.sha256(id));
        return session != null && !expired(session, clock.instant());
    }

    /** When the session ends at the latest if it stays in use. */
    public Instant expiresAt(Session session) {
        Instant idle = session.lastUsed().plus(idleTimeout);
        Instant absolute = session.createdAt().plus(maxAge);
        return idle.isBefore(absolute) ? idle : absolute;
    }

    public Duration maxAge() {
        return maxAge;
    }

    public void invalidate(String id) {
        if (id != null) {
            sessions.remove(Tokens.sha256(id));
        }
    }

    /** Ends every session of {@code username} (password changed, admin deleted). */
    public void invalidateUser(String username) {
        sessions.values().removeIf(s -> s.username().equalsIgnoreCase(username));
    }

    int size() {
        return sessions.size();
    }

    private boolean expired(Session s, Instant now) {
        return !now.isBefore(s.lastUsed().plus(idleTimeout)) || !now.isBefore(s.createdAt().plus(maxAge));
    }

    private void purgeExpired(Instant now) {
        sessions.values().removeIf(s -> expired(s, now));
    }
}
