package org.bridgeappliance.adapter.matrix.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.adapter.matrix.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The typed CS client: masquerading, idempotent sends, 429 and transient-error retries. */
class MatrixClientTest {
    /** Answers from a script and records every request. */
    static final class ScriptedTransport implements HttpTransport {
        final List<Request> requests = new ArrayList<>();
        final Deque<Object> script = new ArrayDeque<>();

        ScriptedTransport then(int status, String json) {
            script.add(new Response(status, Map.of("Content-Type", List.of("application/json")),
                    json.getBytes(StandardCharsets.UTF_8)));
            return this;
        }

        ScriptedTransport thenNoResponse() {
            script.add(new IOException("connection refused"));
            return this;
        }

        @Override
        public Response execute(Request request) throws IOException {
            requests.add(request);
            Object next = script.poll();
            if (next == null) {
                throw new AssertionError("unexpected request " + request.method() + " " + request.pathAndQuery());
            }
            if (next instanceof IOException e) {
                throw e;
            }
            return (Response) next;
        }

        @Override
        public void close() {
        }
    }

    private final ScriptedTransport http = new ScriptedTransport();
    private final List<Duration> sleeps = new ArrayList<>();
    private final List<Boolean> reachability = new ArrayList<>();
    private final MatrixClient client = new MatrixClient(http, "as-secret", 3, Duration.ofSeconds(5), sleeps::add);

    {
        client.onReachability(reachability::add);
    }

    @Test
    void masqueradesWithTheAsTokenAndUserIdAndEncodesPathSegments() throws Exception {
        http.then(200, "{\"event_id\":\"$e1\"}");
        String id = client.send("!room:matrix.test", "m.room.message", "txn/1 2",
                Json.parse("{\"msgtype\":\"m.text\",\"body\":\"hi\"}"), "@_xmpp_bob=40xmpp.test:matrix.test");
        assertEquals("$e1", id);
        HttpTransport.Request request = http.requests.get(0);
        assertEquals("PUT", request.method());
        assertEquals("/_matrix/client/v3/rooms/%21room%3Amatrix.test/send/m.room.message/txn%2F1%202"
                + "?user_id=%40_xmpp_bob%3D40xmpp.test%3Amatrix.test", request.pathAndQuery());
        assertEquals("Bearer as-secret", request.headers().get("Authorization"));
        assertEquals("{\"msgtype\":\"m.text\",\"body\":\"hi\"}", new String(request.body(), StandardCharsets.UTF_8));
        assertEquals(List.of(true), reachability);
    }

    @Test
    void userInUseMeansTheGhostExists() {
        http.then(200, "{\"user_id\":\"@_xmpp_a:matrix.test\"}")
                .then(400, "{\"errcode\":\"M_USER_IN_USE\",\"error\":\"User ID already taken.\"}");
        assertTrue(client.register("_xmpp_a"));
        assertFalse(client.register("_xmpp_a"));
        String body = new String(http.requests.get(0).body(), StandardCharsets.UTF_8);
        assertTrue(body.contains("\"type\":\"m.login.application_service\""), body);
        assertTrue(body.contains("\"inhibit_login\":true"), body);
    }

    @Test
    void rateLimitIsRetriedAfterTheRequestedWait() throws Exception {
        http.then(429, "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":1500}")
                .then(200, "{\"event_id\":\"$e2\"}");
        assertEquals("$e2", client.send("!r:m", "m.room.message", "t1", Json.object(), null));
        assertEquals(List.of(Duration.ofMillis(1500)), sleeps);
        assertEquals(2, http.requests.size());
        assertEquals(http.requests.get(0).pathAndQuery(), http.requests.get(1).pathAndQuery(),
                "the retry reuses the transaction id");
    }

    @Test
    void aLongerRateLimitIsHandedToTheCallerWithItsWait() {
        http.then(429, "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":60000}");
        MatrixHttpException e = assertThrows(MatrixHttpException.class,
                () -> client.send("!r:m", "m.room.message", "t1", Json.object(), null));
        assertTrue(e.isTransient());
        assertEquals(Optional.of(Duration.ofMinutes(1)), e.retryAfter());
        assertEquals(List.of(), sleeps);
    }

    @Test
    void serverErrorsAndMissingResponsesAreRetriedForIdempotentCalls() {
        http.then(502, "<html>bad gateway</html>").thenNoResponse().then(200, "{\"event_id\":\"$e3\"}");
        assertEquals("$e3", client.send("!r:m", "m.room.message", "t1", Json.object(), null));
        assertEquals(2, sleeps.size());
        assertTrue(sleeps.get(1).compareTo(Duration.ofMillis(250)) >= 0, "exponential backoff: " + sleeps);
        assertEquals(List.of(true, false, true), reachability);
    }

    @Test
    void giveUpAfterMaxAttemptsWithATransientError() {
        http.then(503, "{}").then(503, "{}").then(503, "{\"errcode\":\"M_UNKNOWN\"}");
        MatrixHttpException e = assertThrows(MatrixHttpException.class, () -> client.whoami(null));
        assertEquals(503, e.status());
        assertTrue(e.isTransient());
        assertEquals(3, http.requests.size());
    }

    @Test
    void createRoomIsNeverRetriedOnAnAmbiguousFailure() {
        http.thenNoResponse();
        MatrixHttpException e = assertThrows(MatrixHttpException.class,
                () -> client.createRoom("@bridgebot:m", Json.object()));
        assertEquals(0, e.status());
        assertTrue(e.isTransient());
        assertEquals(1, http.requests.size());
    }

    @Test
    void clientErrorsArePermanentAndNotRetried() {
        http.then(403, "{\"errcode\":\"M_FORBIDDEN\",\"error\":\"not in room\"}");
        MatrixHttpException e = assertThrows(MatrixHttpException.class,
                () -> client.send("!r:m", "m.room.message", "t1", Json.object(), null));
        assertEquals("M_FORBIDDEN", e.errcode());
        assertFalse(e.isTransient());
        assertFalse(e.getMessage().contains("as-secret"));
        assertEquals(1, http.requests.size());
    }

    @Test
    void downloadsThroughTheAuthenticatedMediaApi() {
        http.script.add(new HttpTransport.Response(200, Map.of("Content-Type", List.of("image/png")),
                new byte[] {1, 2, 3}));
        MatrixClient.Media media = client.download("mxc://matrix.test/AbC_123-x");
        assertArrayEquals(new byte[] {1, 2, 3}, media.content());
        assertEquals("image/png", media.contentType());
        assertEquals("/_matrix/client/v1/media/download/matrix.test/AbC_123-x",
                http.requests.get(0).pathAndQuery());
        assertEquals("Bearer as-secret", http.requests.get(0).headers().get("Authorization"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://x/y", "mxc://", "mxc://server", "mxc://server/", "mxc://server/a/../b",
        "mxc://server/id?x=1", "mxc://ser ver/id", "mxc:///id"})
    void refusesMalformedMxcUris(String mxc) {
        assertThrows(IllegalArgumentException.class, () -> MatrixClient.parseMxc(mxc));
    }

    @Test
    void pingReturnsTheMeasuredDuration() {
        http.then(200, "{\"duration_ms\":42}");
        assertEquals(Duration.ofMillis(42), client.ping("bridge-appliance", "p1"));
        assertEquals("/_matrix/client/v1/appservice/bridge-appliance/ping", http.requests.get(0).pathAndQuery());
    }
}
