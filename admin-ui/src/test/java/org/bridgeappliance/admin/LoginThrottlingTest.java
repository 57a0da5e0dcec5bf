package org.bridgeappliance.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Login throttling through the real HTTP server (issue 9, item 10): attempts are counted before the
 * password is hashed, hashing is bounded, one source cannot lock an admin out from elsewhere, and
 * client addresses come from forwarded headers only when the peer is a configured trusted proxy.
 */
class LoginThrottlingTest {
    private static final Map<String, Object> BEHIND_PROXY = Map.of("bridge.admin.trusted-proxies", "127.0.0.1/32");

    private static ApiClient.Response login(EmbeddedServer server, String password, String forwardedFor) {
        ApiClient client = new ApiClient(server.getURI());
        if (forwardedFor != null) {
            client.header("X-Forwarded-For", forwardedFor);
        }
        return client.post("/api/v1/session", Map.of("username", TestServers.ADMIN, "password", password));
    }

    @Test
    void parallelWrongPasswordsAreCountedBeforeHashingSoABurstCannotExceedTheLimit(@TempDir Path dataDir) {
        // Real-cost hashes (the production work factor): the old check-then-count let all of a burst through
        // while the first hashes were still running.
        try (EmbeddedServer server = TestServers.withAdmin(dataDir, Map.of(
                "bridge.admin.password-iterations", 600_000, "bridge.admin.max-concurrent-logins", 8))) {
            List<CompletableFuture<ApiClient.Response>> burst = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String password = "wrong-password-" + i;
                burst.add(CompletableFuture.supplyAsync(() -> login(server, password, null)));
            }
            List<ApiClient.Response> answers = burst.stream().map(CompletableFuture::join).toList();
            Map<Integer, Long> byStatus = answers.stream()
                    .collect(Collectors.groupingBy(ApiClient.Response::status, Collectors.counting()));
            long checked = byStatus.getOrDefault(401, 0L);
            assertTrue(checked <= 5, "at most login-max-failures (5) passwords were checked: " + byStatus);
            for (ApiClient.Response r : answers) {
                assertTrue(r.status() == 401 || r.status() == 429 || r.status() == 503, r.toString());
                if (r.status() != 401) {
                    assertNotNull(r.header("Retry-After"), r.toString());
                }
            }
        }
    }

    @Test
    void concurrentPasswordChecksAreBoundedAndTheRestGet503WithRetryAfter(@TempDir Path dataDir) {
        try (EmbeddedServer server = TestServers.withAdmin(dataDir, Map.of("bridge.admin.password-iterations", 600_000,
                "bridge.admin.max-concurrent-logins", 1, "bridge.admin.trusted-proxies", "127.0.0.1"))) {
            // Distinct client addresses, so that the throttle does not refuse any: only the hashing bound can.
            List<CompletableFuture<ApiClient.Response>> burst = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String address = "198.51.100." + (i + 1);
                burst.add(CompletableFuture.supplyAsync(() -> login(server, "wrong-password", address)));
            }
            List<ApiClient.Response> answers = burst.stream().map(CompletableFuture::join).toList();
            List<ApiClient.Response> busy = answers.stream().filter(r -> r.status() == 503).toList();
            assertTrue(!busy.isEmpty(), "8 parallel checks with one permit: some are refused at once: " + answers);
            for (ApiClient.Response r : busy) {
                assertEquals("1", r.header("Retry-After"), r.toString());
                assertTrue(r.json().get("message").asText().contains("retry"), r.toString());
            }
            assertTrue(answers.stream().allMatch(r -> r.status() == 401 || r.status() == 503), answers.toString());
        }
    }

    @Test
    void aBadLoginEveryLockoutFromOneAddressDoesNotLockTheAdminOutFromAnother(@TempDir Path dataDir) {
        Map<String, Object> props = new java.util.HashMap<>(BEHIND_PROXY);
        props.put("bridge.admin.login-max-lockout", "1s");
        try (EmbeddedServer server = TestServers.withAdmin(dataDir, props)) {
            String attacker = "203.0.113.66";
            for (int i = 0; i < 5; i++) {
                assertEquals(401, login(server, "guess-" + i, attacker).status());
            }
            // One more bad login each time the attacker's wait has passed, three times over.
            for (int round = 0; round < 3; round++) {
                ApiClient.Response r = awaitNot429(server, "guess-again-" + round, attacker);
                assertEquals(401, r.status(), r.toString());
                ApiClient.Response admin = login(server, TestServers.PASSWORD, "192.0.2.10");
                assertEquals(200, admin.status(), "the admin logs in from their own address: " + admin);
            }
            assertEquals(429, login(server, TestServers.PASSWORD, attacker).status(),
                    "the attacker's own address still waits, even with the right password");
        }
    }

    @Test
    void theRightPasswordWorksOnceTheAdminsOwnWaitHasPassed(@TempDir Path dataDir) {
        try (EmbeddedServer server = TestServers.withAdmin(dataDir, Map.of("bridge.admin.login-max-lockout", "1s"))) {
            for (int i = 0; i < 5; i++) {
                assertEquals(401, login(server, "mistyped-" + i, null).status());
            }
            ApiClient.Response locked = login(server, TestServers.PASSWORD, null);
            assertEquals(429, locked.status(), locked.toString());
            ApiClient.Response ok = awaitNot429(server, TestServers.PASSWORD, null);
            assertEquals(200, ok.status(), ok.toString());
        }
    }

    @Test
    void forwardedHeadersFromAnUntrustedPeerDoNotChangeTheThrottlingKey(@TempDir Path dataDir) {
        try (EmbeddedServer server = TestServers.withAdmin(dataDir, Map.of())) {
            for (int i = 0; i < 5; i++) {
                assertEquals(401, login(server, "guess-" + i, "198.51.100." + i).status());
            }
            ApiClient.Response spoofed = new ApiClient(server.getURI()).header("X-Forwarded-For", "192.0.2.99")
                    .header("Forwarded", "for=192.0.2.98")
                    .post("/api/v1/session", Map.of("username", TestServers.ADMIN, "password", "guess-6"));
            assertEquals(429, spoofed.status(), "no trusted proxy configured: the TCP peer is the client: " + spoofed);
        }
    }

    /** Repeats the login until it is not throttled (the waits here are at most 1 s); bounded. */
    private static ApiClient.Response awaitNot429(EmbeddedServer server, String password, String forwardedFor) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            ApiClient.Response r = login(server, password, forwardedFor);
            if (r.status() != 429 || System.nanoTime() > deadline) {
                return r;
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // poll, bounded by the deadline
        }
    }
}
