package org.bridgeappliance.admin.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SessionStoreTest {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };
    private final SessionStore store = new SessionStore(Duration.ofMinutes(30), Duration.ofHours(2), 3, clock);

    @Test
    void sessionsHaveDistinctRandomIdsAndTokens() {
        SessionStore.Session a = store.create("alice");
        SessionStore.Session b = store.create("alice");
        assertNotEquals(a.id(), b.id());
        assertNotEquals(a.csrfToken(), b.csrfToken());
        assertNotEquals(a.id(), a.csrfToken());
        assertEquals("alice", store.find(a.id()).orElseThrow().username());
        assertTrue(store.find("not-a-session").isEmpty());
        assertTrue(store.find(null).isEmpty());
    }

    @Test
    void isLiveDoesNotCountAsUse() {
        SessionStore.Session s = store.create("alice");
        now = now.plus(Duration.ofMinutes(29));
        assertTrue(store.isLive(s.id()));
        now = now.plus(Duration.ofMinutes(2)); // 31 minutes after the last use: an event stream alone keeps no session
        assertFalse(store.isLive(s.id()));
        assertTrue(store.find(s.id()).isEmpty());
        assertFalse(store.isLive(null));
        assertFalse(store.isLive("not-a-session"));
    }

    @Test
    void idleTimeoutIsRenewedByUseButMaxAgeIsNot() {
        SessionStore.Session s = store.create("alice");
        for (int i = 0; i < 3; i++) {
            now = now.plus(Duration.ofMinutes(29));
            assertTrue(store.find(s.id()).isPresent(), "used within the idle timeout");
        }
        now = now.plus(Duration.ofMinutes(29)); // 116 minutes after login
        assertTrue(store.find(s.id()).isPresent());
        now = now.plus(Duration.ofMinutes(5)); // past the 2 h maximum
        assertTrue(store.find(s.id()).isEmpty());

        SessionStore.Session idle = store.create("bob");
        now = now.plus(Duration.ofMinutes(30));
        assertTrue(store.find(idle.id()).isEmpty(), "idle too long");
    }

    @Test
    void logoutAndPasswordChangeEndSessions() {
        SessionStore.Session a = store.create("alice");
        SessionStore.Session b = store.create("Bob");
        store.invalidate(a.id());
        assertTrue(store.find(a.id()).isEmpty());
        store.invalidateUser("bob");
        assertTrue(store.find(b.id()).isEmpty());
    }

    @Test
    void theOldestSessionIsEvictedWhenFull() {
        SessionStore.Session first = store.create("a");
        now = now.plusSeconds(1);
        store.create("b");
        now = now.plusSeconds(1);
        store.create("c");
        now = now.plusSeconds(1);
        SessionStore.Session fourth = store.create("d");
        assertEquals(3, store.size());
        assertTrue(store.find(first.id()).isEmpty());
        assertTrue(store.find(fourth.id()).isPresent());
    }
}
