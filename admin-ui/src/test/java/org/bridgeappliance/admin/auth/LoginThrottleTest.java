package org.bridgeappliance.admin.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @Test
    void waitDoublesAfterTheAllowedFailuresAndIsCapped() {
        LoginThrottle t = new LoginThrottle(3, Duration.ofSeconds(10), clock);
        for (int i = 0; i < 2; i++) {
            t.failure("user:a");
        }
        assertTrue(t.blocked("user:a").isEmpty(), "two failures are allowed");
        t.failure("user:a");
        assertEquals(Optional.of(Duration.ofSeconds(1)), t.blocked("user:a"));
        t.failure("user:a");
        assertEquals(Optional.of(Duration.ofSeconds(2)), t.blocked("user:a"));
        for (int i = 0; i < 10; i++) {
            t.failure("user:a");
        }
        assertEquals(Optional.of(Duration.ofSeconds(10)), t.blocked("user:a"), "capped");
        now = now.plusSeconds(10);
        assertTrue(t.blocked("user:a").isEmpty(), "the wait passes");
        assertTrue(t.blocked("user:b").isEmpty(), "other keys are not affected");
    }

    @Test
    void successClearsTheKey() {
        LoginThrottle t = new LoginThrottle(1, Duration.ofMinutes(5), clock);
        t.failure("user:a", "addr:1");
        assertTrue(t.blocked("user:a").isPresent());
        assertTrue(t.blocked("addr:1").isPresent());
        t.success("user:a");
        assertTrue(t.blocked("user:a").isEmpty());
        assertTrue(t.blocked("user:a", "addr:1").isPresent(), "the longest wait of all keys applies");
    }
}
