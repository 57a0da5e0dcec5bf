package org.bridgeappliance.adapter.matrix.appservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpRequest;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.annotation.Client;
import io.micronaut.http.client.exceptions.HttpClientResponseException;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.bridgeappliance.adapter.matrix.MatrixAdapter;
import org.bridgeappliance.adapter.matrix.MatrixConfig;
import org.bridgeappliance.adapter.matrix.json.Json;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver;
import org.bridgeappliance.adapter.matrix.testing.RecordingIngress;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The AS endpoints on Micronaut's embedded server, with a fake homeserver behind the CS client and a
 * recording ingress in place of the core (AS API: authorization, transactions, unknown routes, ping).
 */
@MicronautTest(environments = AppServiceControllerTest.ENVIRONMENT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Property(name = "bridge.matrix.enabled", value = "true")
@Property(name = "bridge.xmpp.enabled", value = "false") // the other networks: ghost namespaces follow from them
@Property(name = "bridge.sip.enabled", value = "false")
@Property(name = "bridge.matrix.as-token", value = "as-test-token")
@Property(name = "bridge.matrix.hs-token", value = "hs-test-token")
@Property(name = "bridge.matrix.max-transaction-bytes", value = "200000")
class AppServiceControllerTest {
    static final FakeHomeserver HOMESERVER = new FakeHomeserver("@bridgebot:matrix.test");

    /** Keeps the fake homeserver below out of other tests' contexts (they share the test classpath). */
    static final String ENVIRONMENT = "appservice-controller-test";

    @Factory
    @io.micronaut.context.annotation.Requires(env = ENVIRONMENT)
    static class TestBeans {
        @Singleton
        @Replaces(MatrixAdapter.class)
        MatrixAdapter adapter(MatrixConfig config, io.micronaut.context.env.Environment environment) {
            config.deriveGhostNetworks(environment); // as the real bean does
            return new MatrixAdapter(config, c -> HOMESERVER);
        }
    }

    @Inject
    MatrixAdapter adapter;

    @Inject
    @Client("/")
    HttpClient http;

    @Inject
    io.micronaut.runtime.server.EmbeddedServer server;

    final RecordingIngress ingress = new RecordingIngress();
    final BridgeStores stores = InMemoryStores.create();
    boolean started;

    @BeforeEach
    void startOnce() {
        if (!started) {
            adapter.start(new AdapterContext(ingress, (n, s) -> { }, stores, Clock.systemUTC()));
            started = true;
        }
        ingress.events.clear();
        ingress.setUnavailable(false);
    }

    static final String TWO_MESSAGES = """
            {"events":[
              {"type":"m.room.message","room_id":"!room:matrix.test","sender":"@alice:matrix.test","event_id":"$a1",
               "origin_server_ts":1,"content":{"msgtype":"m.text","body":"one"}},
              {"type":"m.room.message","room_id":"!room:matrix.test","sender":"@bridgebot:matrix.test","event_id":"$a2",
               "origin_server_ts":2,"content":{"msgtype":"m.text","body":"bot echo"}},
              {"type":"m.room.message","room_id":"!room:matrix.test","sender":"@alice:matrix.test","event_id":"$a3",
               "origin_server_ts":3,"content":{"msgtype":"m.notice","body":"two"}}],
             "ephemeral":[{"type":"m.typing","room_id":"!room:matrix.test","content":{"user_ids":["@alice:matrix.test"]}}]}
            """;

    private HttpResponse<String> call(MutableHttpRequest<?> request) {
        try {
            return http.toBlocking().exchange(request, String.class);
        } catch (HttpClientResponseException e) {
            return e.getResponse().getBody(String.class)
                    .map(b -> HttpResponse.status(e.getStatus()).body(b))
                    .orElse(HttpResponse.status(e.getStatus()).body(""));
        }
    }

    private static MutableHttpRequest<?> txn(String id, String body, String token) {
        MutableHttpRequest<String> request = HttpRequest.PUT("/_matrix/app/v1/transactions/" + id, body)
                .contentType(MediaType.APPLICATION_JSON_TYPE);
        if (token != null) {
            request.bearerAuth(token);
        }
        return request;
    }

    private static String errcode(HttpResponse<String> response) throws Exception {
        JsonNode body = Json.parse(response.body());
        return body.path("errcode").asText();
    }

    @Test
    void aHomeserverReusingTransactionIdsIsNotMistakenForReplays() throws Exception {
        // Synapse on SQLite restarts its transaction ids after a restart (synapse#14556).
        assertEquals(200, call(txn("t-reused", TWO_MESSAGES, "hs-test-token")).code());
        int before = ingress.events.size();
        String other = TWO_MESSAGES.replace("$a1", "$b1").replace("$a3", "$b3").replace("\"one\"", "\"new one\"");
        assertEquals(200, call(txn("t-reused", other, "hs-test-token")).code());
        assertTrue(ingress.events.stream().skip(before).anyMatch(e -> e instanceof MessageEvent m
                && m.body().plain().equals("new one")), "the new events were processed");
        int after = ingress.events.size();
        assertEquals(200, call(txn("t-reused", other, "hs-test-token")).code());
        assertEquals(after, ingress.events.size(), "a true retry is still a no-op");
    }

    @Test
    void wrongOrMissingTokenIsForbiddenAndChangesNothing() throws Exception {
        for (String token : new String[] {"hs-test-tokeN", "as-test-token", "", null}) {
            HttpResponse<String> response = call(txn("t-forbidden", TWO_MESSAGES, token));
            assertEquals(403, response.code(), "token " + token);
            assertEquals("M_FORBIDDEN", errcode(response));
        }
        assertEquals(List.of(), ingress.events);
        assertFalse(stores.transactions().isProcessed(TransactionProcessor.SCOPE, "t-forbidden"));
    }

    @Test
    void legacyQueryTokenIsRefusedByDefault() throws Exception {
        HttpResponse<String> response = call(HttpRequest.PUT(
                "/_matrix/app/v1/transactions/t-legacy?access_token=hs-test-token", TWO_MESSAGES)
                .contentType(MediaType.APPLICATION_JSON_TYPE));
        assertEquals(403, response.code());
        assertEquals(List.of(), ingress.events);
    }

    @Test
    void transactionIsSubmittedOnceAndIdempotent() throws Exception {
        HttpResponse<String> first = call(txn("t-1", TWO_MESSAGES, "hs-test-token"));
        assertEquals(200, first.code());
        assertEquals("{}", first.body());
        // the bot's own message is an echo and never submitted
        assertEquals(3, ingress.events.size());
        assertEquals("one", ((MessageEvent) ingress.events.get(0)).body().plain());
        assertEquals("two", ((MessageEvent) ingress.events.get(1)).body().plain());
        assertEquals(UserRef.of("matrix", "@alice:matrix.test"), ingress.events.get(2).sender());
        assertTrue(stores.transactions().isProcessed(TransactionProcessor.SCOPE, "t-1"));

        HttpResponse<String> retry = call(txn("t-1", TWO_MESSAGES, "hs-test-token"));
        assertEquals(200, retry.code());
        assertEquals(3, ingress.events.size(), "a retried transaction is a no-op");
    }

    @Test
    void aTransactionOfEchoesOnlyIsAcknowledgedWithoutAWrite() throws Exception {
        String echo = """
                {"events":[{"type":"m.room.message","room_id":"!room:matrix.test","sender":"@bridgebot:matrix.test",
                  "event_id":"$echo1","origin_server_ts":1,"content":{"msgtype":"m.text","body":"bot echo"}}]}
                """;
        assertEquals(200, call(txn("t-echo", echo, "hs-test-token")).code());
        assertEquals(0, ingress.events.size(), "the bridge's own event is never bridged back");
        assertFalse(stores.transactions().isProcessed(TransactionProcessor.SCOPE, "t-echo"),
                "nothing to remember: a retry would bridge nothing either");
        assertEquals(200, call(txn("t-echo", echo, "hs-test-token")).code());
        assertEquals(0, ingress.events.size());
    }

    @Test
    void malformedBodiesGet400AndNothingIsSubmitted() throws Exception {
        for (String body : new String[] {"{not json", "[]", "{\"events\":{}}", "{\"events\":[]} trailing",
            "{\"events\":[" + "[".repeat(2000) + "]".repeat(2000) + "]}"}) {
            HttpResponse<String> response = call(txn("t-bad", body, "hs-test-token"));
            assertEquals(400, response.code(), body);
            assertTrue(errcode(response).startsWith("M_"), response.body());
        }
        assertEquals(List.of(), ingress.events);
        assertFalse(stores.transactions().isProcessed(TransactionProcessor.SCOPE, "t-bad"));
    }

    @Test
    void oneOddButValidEventNeverBlocksTheTransaction() throws Exception {
        String deep = "{\"a\":".repeat(300) + "1" + "}".repeat(300);
        String body = "{\"events\":[{\"type\":\"m.room.message\",\"room_id\":\"!room:matrix.test\","
                + "\"sender\":\"@alice:matrix.test\",\"event_id\":\"$deep\",\"content\":{\"msgtype\":\"m.text\","
                + "\"body\":\"deep\",\"x\":" + deep + ",\"n\":123456789012345678901234567890}},"
                + "{\"type\":\"m.room.message\",\"room_id\":\"!room:matrix.test\",\"sender\":\"@alice:matrix.test\","
                + "\"event_id\":\"$after\",\"content\":{\"msgtype\":\"m.text\",\"body\":\"after\"}}]}";
        assertEquals(200, call(txn("t-deep", body, "hs-test-token")).code());
        assertEquals(2, ingress.events.stream().filter(e -> e instanceof MessageEvent).count());
    }

    @Test
    void oversizedTransactionIsRefused() throws Exception {
        String huge = "{\"events\":[],\"pad\":\"" + "x".repeat(210_000) + "\"}";
        HttpResponse<String> response = call(txn("t-huge", huge, "hs-test-token"));
        assertEquals(413, response.code());
        assertEquals(List.of(), ingress.events);
    }

    @Test
    void unavailableCoreMeans503AndTheRetryIsProcessed() throws Exception {
        ingress.setUnavailable(true);
        HttpResponse<String> refused = call(txn("t-503", TWO_MESSAGES, "hs-test-token"));
        assertEquals(503, refused.code());
        assertFalse(stores.transactions().isProcessed(TransactionProcessor.SCOPE, "t-503"));
        ingress.setUnavailable(false);
        assertEquals(200, call(txn("t-503", TWO_MESSAGES, "hs-test-token")).code());
        assertEquals(2, ingress.events.stream().filter(e -> e instanceof MessageEvent).count());
        assertTrue(stores.transactions().isProcessed(TransactionProcessor.SCOPE, "t-503"));
    }

    @Test
    void unknownRoutesAndMethodsAreUnrecognized() throws Exception {
        HttpResponse<String> unknown = call(HttpRequest.GET("/_matrix/app/v1/thirdparty/protocol/xmpp")
                .bearerAuth("hs-test-token"));
        assertEquals(404, unknown.code());
        assertEquals("M_UNRECOGNIZED", errcode(unknown));
        HttpResponse<String> wrongMethod = call(HttpRequest.GET("/_matrix/app/v1/transactions/t-x")
                .bearerAuth("hs-test-token"));
        assertEquals(405, wrongMethod.code());
        assertEquals("M_UNRECOGNIZED", errcode(wrongMethod));
        HttpResponse<String> wrongMethod2 = call(HttpRequest.DELETE("/_matrix/app/v1/ping").bearerAuth("hs-test-token"));
        assertEquals(405, wrongMethod2.code());
    }

    @Test
    void pingAnswersWithTheRightToken() throws Exception {
        assertEquals(200, call(HttpRequest.POST("/_matrix/app/v1/ping", "{\"transaction_id\":\"p1\"}")
                .contentType(MediaType.APPLICATION_JSON_TYPE).bearerAuth("hs-test-token")).code());
        assertEquals(403, call(HttpRequest.POST("/_matrix/app/v1/ping", "{}")
                .contentType(MediaType.APPLICATION_JSON_TYPE).bearerAuth("nope")).code());
    }

    @Test
    void userQueryProvisionsGhostsOnly() throws Exception {
        HttpResponse<String> ghost = call(HttpRequest.GET("/_matrix/app/v1/users/"
                + "%40_xmpp_carol%3D40xmpp.test%3Amatrix.test").bearerAuth("hs-test-token"));
        assertEquals(200, ghost.code());
        assertTrue(HOMESERVER.calls("POST /_matrix/client/v3/register").stream()
                .anyMatch(c -> c.body().contains("\"username\":\"_xmpp_carol=40xmpp.test\"")));
        assertTrue(HOMESERVER.calls("PUT /_matrix/client/v3/profile/@_xmpp_carol=40xmpp.test:matrix.test/displayname")
                .stream().anyMatch(c -> c.body().contains("carol@xmpp.test")));
        assertTrue(stores.puppets().find(UserRef.of("xmpp", "carol@xmpp.test"), MatrixAdapter.NETWORK).isPresent());

        HttpResponse<String> stranger = call(HttpRequest.GET("/_matrix/app/v1/users/%40dave%3Amatrix.test")
                .bearerAuth("hs-test-token"));
        assertEquals(404, stranger.code());
        HttpResponse<String> noToken = call(HttpRequest.GET("/_matrix/app/v1/users/%40_xmpp_x%3Amatrix.test"));
        assertEquals(403, noToken.code());
    }

    @Test
    void encryptedEventsAreNotSilentlyDropped() throws Exception {
        String body = "{\"events\":[{\"type\":\"m.room.encrypted\",\"room_id\":\"!secret:matrix.test\","
                + "\"sender\":\"@alice:matrix.test\",\"event_id\":\"$enc\",\"content\":{\"algorithm\":\"m.megolm.v1.aes-sha2\"}}]}";
        assertEquals(200, call(txn("t-enc", body, "hs-test-token")).code());
        assertEquals(List.of(), ingress.events);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (HOMESERVER.calls("PUT /_matrix/client/v3/rooms/!secret:matrix.test/send/m.room.message/").isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "no notice about encryption");
            Thread.onSpinWait();
        }
        String notice = HOMESERVER.calls("PUT /_matrix/client/v3/rooms/!secret:matrix.test/send/").get(0).body();
        assertTrue(notice.contains("m.notice") && notice.contains("encrypted"), notice);
    }

    @Test
    void rawBytesInTransactionIdAreRejected() throws Exception {
        HttpResponse<String> response = call(txn("t%0Aevil", TWO_MESSAGES, "hs-test-token"));
        assertEquals(400, response.code());
        assertEquals(List.of(), ingress.events);
        assertEquals("{}", new String(Json.bytes(Json.object()), StandardCharsets.UTF_8));
    }

    /**
     * Issue 9: the hs_token is checked before the body is read. The request announces a 150,000-byte body but
     * sends only its first kilobyte: a server that buffered the body before the check would wait for the rest,
     * and this reply would never come.
     */
    @Test
    void aTransactionWithAWrongTokenIsRefusedBeforeItsBodyIsRead() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.getPort())) {
            socket.setSoTimeout(5000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("PUT /_matrix/app/v1/transactions/t-huge HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer wrong-token\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 150000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1024]);
            out.flush();
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String status = in.readLine();
            assertTrue(status != null && status.startsWith("HTTP/1.1 403"), "status line: " + status);
        }
        assertEquals(List.of(), ingress.events);
        // the right token still gets through with its body
        assertEquals(200, call(txn("t-after-huge", TWO_MESSAGES, "hs-test-token")).code());
    }
}
