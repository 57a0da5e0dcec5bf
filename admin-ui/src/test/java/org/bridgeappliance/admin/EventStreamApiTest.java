package org.bridgeappliance.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.client.sse.SseClient;
import io.micronaut.http.sse.Event;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.bridgeappliance.admin.api.EventStreams;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.port.AdapterState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * {@code GET /api/v1/events}: the dashboard's live stream, read by Micronaut's SSE client and, for the wire format
 * and the heartbeat, line by line by the JDK's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventStreamApiTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private EmbeddedServer server;
    private URI base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path dataDir) {
        server = TestServers.withAdmin(dataDir, Map.of("bridge.admin.max-event-streams-per-session", 2,
                "bridge.admin.max-event-streams", 3, "bridge.admin.event-stream-interval", "100ms",
                "bridge.admin.event-stream-heartbeat", "700ms"));
        base = server.getURI();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void pushesTheStateOnConnectAndEveryChangeOfAdaptersAndActivity() throws Exception {
        Collector events = new Collector();
        SseClient client = server.getApplicationContext().createBean(SseClient.class, server.getURL());
        try {
            client.eventStream(HttpRequest.GET("/api/v1/events").basicAuth(TestServers.ADMIN, TestServers.PASSWORD),
                    Argument.of(String.class)).subscribe(events);
            JsonNode first = events.next("adapters", a -> true);
            assertEquals("CONNECTED", adapter(first, "xmpp").path("status").asText(), first.toString());
            assertEquals(3, first.path("adapters").size());
            assertEquals(3, first.path("metrics").path("accepted").asLong());
            long total = pairTotal(events.next("activity", a -> true));

            Instant since = Instant.parse("2026-12-03T12:00:00Z");
            setXmpp(new AdapterState(AdapterState.Status.RECONNECTING, "connection lost; retrying in 2 s", since));
            try {
                JsonNode changed = events.next("adapters",
                        a -> adapter(a, "xmpp").path("status").asText().equals("RECONNECTING"));
                assertEquals("connection lost; retrying in 2 s", adapter(changed, "xmpp").path("detail").asText());
                assertEquals(since.toString(), adapter(changed, "xmpp").path("since").asText());
            } finally {
                setXmpp(new AdapterState(AdapterState.Status.CONNECTED, "connected", TestBeans.SINCE));
            }
            events.next("adapters", a -> adapter(a, "xmpp").path("status").asText().equals("CONNECTED"));

            TestBeans.ACTIVITY.delivered(RoomId.of("stream-room"), Network.of("xmpp"),
                    Portal.of("matrix", "!s:matrix.test"), Instant.now());
            JsonNode activity = events.next("activity", a -> pairTotal(a) == total + 1);
            assertEquals(60, activity.path("minutes").asInt());
            events.cancel();
        } finally {
            if (client instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
        waitUntil(() -> streams().openStreams() == 0, "a closed stream is no longer counted");
    }

    @Test
    void theWireFormatHasNamedJsonEventsAndAHeartbeatComment() throws Exception {
        try (Lines lines = open(new String[] {"Authorization", basic()})) {
            assertEquals(200, lines.status, lines.toString());
            assertTrue(lines.contentType.startsWith(MediaType.TEXT_EVENT_STREAM), lines.contentType);
            lines.await(l -> l.equals("event: adapters"));
            lines.await(l -> l.startsWith("data: {") && l.contains("\"adapters\""));
            lines.await(l -> l.equals("event: activity"));
            // Nothing changes meanwhile, so after the heartbeat interval a comment comes and no other event.
            lines.await(l -> l.equals(": heartbeat"));
        }
    }

    @Test
    void streamsAreBoundedPerSessionAndInTotal() throws Exception {
        String a = login();
        String b = login();
        try (Lines a1 = open(cookie(a)); Lines a2 = open(cookie(a))) {
            assertEquals(200, a1.status);
            assertEquals(200, a2.status);
            try (Lines a3 = open(cookie(a))) {
                assertEquals(429, a3.status, a3.toString());
                assertTrue(a3.body().contains("event streams open"), a3.body());
            }
            try (Lines b1 = open(cookie(b))) {
                assertEquals(200, b1.status);
                try (Lines b2 = open(cookie(b))) {
                    assertEquals(503, b2.status, "three in total: " + b2);
                }
            }
            waitUntil(() -> streams().openStreams() == 2, "the closed stream of session b is no longer counted");
            try (Lines b1again = open(cookie(b))) {
                assertEquals(200, b1again.status, "a freed place can be taken again");
            }
        }
    }

    @Test
    void aStreamEndsWhenItsSessionEnds() throws Exception {
        String session = login();
        try (Lines lines = open(cookie(session))) {
            assertEquals(200, lines.status);
            lines.await(l -> l.equals("event: adapters"));
            ApiClient browser = new ApiClient(base).header("Cookie", session.split("\n")[0])
                    .header("X-CSRF-Token", session.split("\n")[1]);
            assertEquals(204, browser.delete("/api/v1/session").status());
            lines.awaitEnd();
        }
        Lines again = open(cookie(session));
        assertEquals(401, again.status, "the ended session opens no new stream: " + again);
        again.close();
    }

    @Test
    void anUnauthenticatedStreamGets401WithoutABasicChallenge() throws Exception {
        // What an EventSource sends: Accept: text/event-stream, the cookie if any, no custom header.
        try (Lines none = open(new String[0])) {
            assertEquals(401, none.status);
            assertNotNull(none.wwwAuthenticate);
            assertFalse(none.wwwAuthenticate.toLowerCase().startsWith("basic"), none.wwwAuthenticate);
        }
        try (Lines unknown = open(new String[] {"Cookie", "bridge_admin_session=nope"})) {
            assertEquals(401, unknown.status);
            assertFalse(unknown.wwwAuthenticate.toLowerCase().startsWith("basic"), unknown.wwwAuthenticate);
        }
        ApiClient.Response script = new ApiClient(base).get("/api/v1/events");
        assertEquals(401, script.status());
        assertTrue(script.header("WWW-Authenticate").startsWith("Basic"), "scripts still get the Basic challenge");
    }

    @Test
    void theOpenApiDocumentDescribesTheStream() {
        String doc = new ApiClient(base).get("/api/v1/openapi.yml").body();
        int at = doc.indexOf("/api/v1/events:");
        assertTrue(at >= 0, "documented");
        String op = doc.substring(at, doc.indexOf("\n  /", at + 1));
        assertTrue(op.contains("operationId: getEvents") && op.contains("text/event-stream") && op.contains("\"429\"")
                && op.contains("\"503\""), op);
    }

    // --- helpers

    private EventStreams streams() {
        return server.getApplicationContext().getBean(EventStreams.class);
    }

    private static void setXmpp(AdapterState state) {
        synchronized (TestBeans.STATES) {
            TestBeans.STATES.put(Network.of("xmpp"), state);
        }
    }

    private static JsonNode adapter(JsonNode adapters, String network) {
        for (JsonNode a : adapters.path("adapters")) {
            if (a.path("network").asText().equals(network)) {
                return a;
            }
        }
        throw new AssertionError("no " + network + " in " + adapters);
    }

    private static long pairTotal(JsonNode activity) {
        for (JsonNode p : activity.path("delivered")) {
            if (p.path("from").asText().equals("xmpp") && p.path("to").asText().equals("matrix")) {
                return p.path("total").asLong();
            }
        }
        return 0;
    }

    private static String basic() {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(
                (TestServers.ADMIN + ":" + TestServers.PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Logs in; the cookie pair and the CSRF token, one per line. */
    private String login() {
        ApiClient.Response r = new ApiClient(base).post("/api/v1/session",
                Map.of("username", TestServers.ADMIN, "password", TestServers.PASSWORD));
        assertEquals(200, r.status(), r.toString());
        String setCookie = r.header("Set-Cookie");
        return setCookie.substring(0, setCookie.indexOf(';')) + "\n" + r.json().path("csrfToken").asText();
    }

    private static String[] cookie(String session) {
        return new String[] {"Cookie", session.split("\n")[0]};
    }

    private Lines open(String[] headers) throws IOException, InterruptedException {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(base.resolve("/api/v1/events"))
                .header("Accept", MediaType.TEXT_EVENT_STREAM);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<Stream<String>> r = http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        return new Lines(r);
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out: " + what);
            }
            TimeUnit.MILLISECONDS.sleep(20); // polling a condition with a deadline, not a synchronisation sleep
        }
    }

    /** A stream read line by line on its own thread. */
    private static final class Lines implements AutoCloseable {
        private static final String END = "\u0000end";
        final int status;
        final String contentType;
        final String wwwAuthenticate;
        private final Stream<String> stream;
        private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private final List<String> seen = new ArrayList<>();

        Lines(HttpResponse<Stream<String>> r) {
            status = r.statusCode();
            contentType = r.headers().firstValue("Content-Type").orElse("");
            wwwAuthenticate = r.headers().firstValue("WWW-Authenticate").orElse(null);
            stream = r.body();
            Thread reader = new Thread(() -> {
                try {
                    Iterator<String> it = stream.iterator();
                    while (it.hasNext()) {
                        queue.add(it.next());
                    }
                } catch (RuntimeException e) {
                    // closed by the test
                }
                queue.add(END);
            }, "sse-lines");
            reader.setDaemon(true);
            reader.start();
        }

        String body() throws InterruptedException {
            StringBuilder sb = new StringBuilder();
            for (String l = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS); l != null && !l.equals(END);
                 l = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                sb.append(l).append('\n');
            }
            return sb.toString();
        }

        void await(Predicate<String> line) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                String l = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null || l.equals(END)) {
                    throw new AssertionError("no such line; saw " + seen);
                }
                seen.add(l);
                if (line.test(l)) {
                    return;
                }
            }
        }

        void awaitEnd() throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                String l = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null) {
                    throw new AssertionError("the stream did not end; saw " + seen);
                }
                if (l.equals(END)) {
                    return;
                }
                seen.add(l);
            }
        }

        @Override
        public void close() {
            stream.close();
        }

        @Override
        public String toString() {
            return status + " " + seen;
        }
    }

    /** Collects the SSE client's events by name. */
    private static final class Collector implements Subscriber<Event<String>> {
        private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private volatile Subscription subscription;

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Event<String> event) {
            queue.add(event);
        }

        @Override
        public void onError(Throwable t) {
            queue.add(t);
        }

        @Override
        public void onComplete() {
            queue.add("complete");
        }

        void cancel() {
            subscription.cancel();
        }

        /** The data of the next event of that name that matches. */
        JsonNode next(String name, Predicate<JsonNode> matches) throws Exception {
            long deadline = System.nanoTime() + WAIT.toNanos();
            List<String> seen = new ArrayList<>();
            while (true) {
                Object o = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (o == null) {
                    throw new AssertionError("no matching " + name + " event; saw " + seen);
                }
                if (!(o instanceof Event<?> e)) {
                    throw new AssertionError("stream ended: " + o + "; saw " + seen);
                }
                seen.add(e.getName());
                if (name.equals(e.getName()) && e.getData() != null && !e.getData().toString().isEmpty()) {
                    JsonNode data = ApiClient.JSON.readTree(e.getData().toString());
                    if (matches.test(data)) {
                        return data;
                    }
                }
            }
        }
    }
}
