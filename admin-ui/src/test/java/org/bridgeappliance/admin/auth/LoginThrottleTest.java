package org.bridgeappliance.admin.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.bridgeappliance.admin.auth.LoginThrottle.Admission;
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

    private static Duration refused(Admission a) {
        return assertInstanceOf(Admission.Refused.class, a).retryAfter();
    }

    @Test
    void waitDoublesAfterTheAllowedFailuresAndIsCapped() {
        LoginThrottle t = new LoginThrottle(3, 100, Duration.ofSeconds(10), clock);
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(Admission.Admitted.class, t.beginLogin("a", "10.0.0.1"), "three attempts are allowed");
        }
        assertEquals(Duration.ofSeconds(1), refused(t.beginLogin("a", "10.0.0.1")));
        now = now.plusSeconds(1);
        assertInstanceOf(Admission.Admitted.class, t.beginLogin("a", "10.0.0.1"));
        assertEquals(Duration.ofSeconds(2), refused(t.beginLogin("a", "10.0.0.1")), "refusals are not counted");
        for (int i = 0; i < 10; i++) {
            now = now.plusSeconds(10);
            t.beginLogin("a", "10.0.0.1");
        }
        assertEquals(Duration.ofSeconds(10), refused(t.beginLogin("a", "10.0.0.1")), "capped");
        now = now.plusSeconds(10);
        assertInstanceOf(Admission.Admitted.class, t.beginLogin("a", "10.0.0.1"), "the wait passes");
    }

    @Test
    void aSuccessClearsItsKeys() {
        LoginThrottle t = new LoginThrottle(2, 100, Duration.ofMinutes(5), clock);
        t.beginLogin("a", "10.0.0.1");
        Admission ok = t.beginLogin("a", "10.0.0.1");
        t.succeeded(assertInstanceOf(Admission.Admitted.class, ok));
        assertInstanceOf(Admission.Admitted.class, t.beginLogin("a", "10.0.0.1"));
    }

    @Test
    void anAttemptIsCountedWhenAdmittedSoABurstStopsAtTheLimit() {
        LoginThrottle t = new LoginThrottle(5, 100, Duration.ofMinutes(5), clock);
        int admitted = 0;
        for (int i = 0; i < 20; i++) { // none has finished (succeeded or failed) yet
            if (t.beginLogin("admin", "10.0.0.1") instanceof Admission.Admitted) {
                admitted++;
            }
        }
        assertEquals(5, admitted);
    }

    @Test
    void oneAddressGuessingCannotLockTheUsernameForOthers() {
        LoginThrottle t = new LoginThrottle(5, 50, Duration.ofMinutes(5), clock);
        for (int i = 0; i < 1000; i++) { // a day and a half of one attempt per lockout
            t.beginLogin("admin", "203.0.113.66");
            now = now.plus(Duration.ofMinutes(5));
        }
        assertInstanceOf(Admission.Admitted.class, t.beginLogin("admin", "192.0.2.10"));
    }

    @Test
    void manyAddressesPauseTheUsernameForTheRestOfTheWindowOnly() {
        LoginThrottle t = new LoginThrottle(5, 10, Duration.ofMinutes(5), clock);
        for (int i = 0; i < 10; i++) {
            t.beginLogin("admin", "198.51.100." + i);
        }
        assertEquals(Duration.ofMinutes(15), refused(t.beginLogin("admin", "192.0.2.10")));
        now = now.plus(Duration.ofMinutes(15));
        assertInstanceOf(Admission.Admitted.class, t.beginLogin("admin", "192.0.2.10"));
    }

    @Test
    void anAddressTheAdminLoggedInFromBeforeIsNotPausedByManyAddressesGuessing() {
        LoginThrottle t = new LoginThrottle(5, 10, Duration.ofMinutes(5), clock);
        t.succeeded(assertInstanceOf(Admission.Admitted.class, t.beginLogin("admin", "192.0.2.10")));
        now = now.plus(Duration.ofDays(1));
        for (int i = 0; i < 10; i++) {
            t.beginLogin("admin", "198.51.100." + i);
        }
        assertInstanceOf(Admission.Refused.class, t.beginLogin("admin", "192.0.2.11"), "a new address waits");
        assertInstanceOf(Admission.Admitted.class, t.beginLogin("admin", "192.0.2.10"), "the known one does not");
    }
}
