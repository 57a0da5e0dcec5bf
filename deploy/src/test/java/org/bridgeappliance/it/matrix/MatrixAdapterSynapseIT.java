package org.bridgeappliance.it.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bridgeappliance.adapter.matrix.MatrixAdapter;
import org.bridgeappliance.adapter.matrix.MatrixConfig;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.bridgeappliance.it.harness.MatrixTestClient;
import org.bridgeappliance.it.harness.MatrixTestClient.Session;
import org.bridgeappliance.it.harness.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Matrix adapter's Client-Server side against the sandbox's real Synapse, checked by an independent
 * plain-HTTP Matrix user: ghosts are registered with their display names, join, post (idempotently on
 * retry), edit, react and unreact; DMs arrive as is_direct invites; media is re-hosted; presence is set.
 * Runs the adapter in-process with the bridge's registration (outbound only: transactions from Synapse go to
 * the appliance's URL, covered by the appliance-level tests).
 */
class MatrixAdapterSynapseIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final Sandbox sandbox = Sandbox.get();
    private final MatrixTestClient matrix = MatrixTestClient.of(sandbox);
    private final List<BridgeEvent> submitted = new CopyOnWriteArrayList<>();
    private MatrixAdapter adapter;
    private Session carol;
    private String roomId;
    private UserRef dan;
    private String danGhost;

    @BeforeEach
    void setUp() throws Exception {
        MatrixConfig config = new MatrixConfig();
        config.setGhostNetworks(java.util.List.of("xmpp", "sip")); // the appliance derives these from its configuration
        config.setEnabled(true);
        config.setHomeserverUrl(sandbox.get("MATRIX_URL"));
        config.setServerName(sandbox.get("MATRIX_SERVER_NAME"));
        config.setRegistrationFile(sandbox.get("MATRIX_AS_REGISTRATION"));
        config.setMediaFetchPrivateHosts(true); // loopback sandbox: the test serves attachments on 127.0.0.1
        adapter = new MatrixAdapter(config);
        EventIngress ingress = event -> {
            submitted.add(event);
            return EventIngress.Acceptance.NOT_BRIDGED;
        };
        adapter.start(new AdapterContext(ingress, (n, s) -> { }, InMemoryStores.create(), Clock.systemUTC()));
        Instant deadline = Instant.now().plus(WAIT);
        while (adapter.state().status() != AdapterState.Status.CONNECTED) {
            assertTrue(Instant.now().isBefore(deadline), "adapter not connected: " + adapter.state());
            Thread.onSpinWait();
        }
        carol = matrix.registerWithSharedSecret(sandbox.get("MATRIX_REGISTRATION_SECRET"), Sandbox.uniqueName("carol"),
                Sandbox.uniqueName("pw"), false);
        roomId = matrix.createRoom(carol, Map.of("preset", "private_chat", "name", "bridged"));
        // an admin "plumbs" an existing room: the bot must be invited
        matrix.invite(carol, roomId, sandbox.get("MATRIX_BOT_USER"));
        // awkward id: upper case, underscore, dot
        dan = UserRef.of("xmpp", "Dan_" + Sandbox.uniqueName("x") + "@xmpp.test");
        danGhost = adapter.codec().ghostUserId(dan);
    }

    @AfterEach
    void tearDown() {
        if (adapter != null) {
            adapter.stop();
        }
    }

    private EventMeta meta(String id) {
        return new EventMeta(Portal.of("xmpp", "room@conference.xmpp.test"), dan, Profile.named("Dan D."),
                Optional.of(RemoteMessageId.of(id)), Instant.now());
    }

    private Delivery delivery(String messageId, RoomEvent event, String referenceEventId, int attempt) {
        Optional<Delivery.Reference> reference = Optional.ofNullable(referenceEventId)
                .map(id -> new Delivery.Reference(List.of(RemoteMessageId.of(id)), dan));
        return new Delivery(BridgeMessageId.of(messageId), RoomId.of("r"), Portal.of("matrix", roomId), event,
                reference, Optional.empty(), attempt);
    }

    @Test
    void ghostPostsEditsAndReactsIdempotently() {
        String since = matrix.currentSyncToken(carol);
        String messageId = Sandbox.uniqueName("msg");
        MessageEvent hello = new MessageEvent(meta("x1"), MessageKind.TEXT,
                MessageBody.html("hello *matrix*", "hello <b>matrix</b><script>x</script>"), List.of(), Optional.empty());
        DeliveryReceipt first = adapter.deliver(delivery(messageId, hello, null, 1));
        DeliveryReceipt retried = adapter.deliver(delivery(messageId, hello, null, 2));
        assertEquals(first, retried, "a retried delivery must not post twice");
        String eventId = first.remoteIds().get(0).value();

        JsonNode seen = matrix.awaitTimelineEvent(carol, roomId, since, e -> eventId.equals(e.path("event_id").asText()),
                WAIT);
        assertEquals(danGhost, seen.path("sender").asText());
        assertEquals("hello <b>matrix</b>", seen.path("content").path("formatted_body").asText());
        JsonNode member = matrix.call("GET", "/_matrix/client/v3/rooms/" + enc(roomId) + "/state/m.room.member/"
                + enc(danGhost), carol.accessToken(), null).body();
        assertEquals("Dan D.", member.path("displayname").asText(), member.toString());

        DeliveryReceipt edit = adapter.deliver(delivery(Sandbox.uniqueName("edit"),
                new EditEvent(meta("x2"), RemoteMessageId.of("x1"), MessageBody.plain("hello again")), eventId, 1));
        String editId = edit.remoteIds().get(0).value();
        JsonNode editSeen = matrix.awaitTimelineEvent(carol, roomId, since,
                e -> editId.equals(e.path("event_id").asText()), WAIT);
        assertEquals("m.replace", editSeen.path("content").path("m.relates_to").path("rel_type").asText());
        assertEquals("hello again", editSeen.path("content").path("m.new_content").path("body").asText());

        DeliveryReceipt reaction = adapter.deliver(delivery(Sandbox.uniqueName("react"),
                new ReactionEvent(meta("x3"), RemoteMessageId.of("x1"), "👍", true), eventId, 1));
        String reactionId = reaction.remoteIds().get(0).value();
        JsonNode reactionSeen = matrix.awaitTimelineEvent(carol, roomId, since,
                e -> reactionId.equals(e.path("event_id").asText()), WAIT);
        assertEquals("👍", reactionSeen.path("content").path("m.relates_to").path("key").asText());

        adapter.deliver(delivery(Sandbox.uniqueName("unreact"),
                new ReactionEvent(meta("x4"), RemoteMessageId.of("x1"), "👍", false), reactionId, 1));
        matrix.awaitTimelineEvent(carol, roomId, since, e -> "m.room.redaction".equals(e.path("type").asText())
                && reactionId.equals(e.path("redacts").asText(e.path("content").path("redacts").asText())), WAIT);
    }

    @Test
    void aNickInOneRoomIsThatRoomsMemberNameOnly() {
        adapter.deliver(delivery(Sandbox.uniqueName("a"), MessageEvent.text(meta("n1"), "first room"), null, 1));
        String second = matrix.createRoom(carol, Map.of("preset", "private_chat"));
        matrix.invite(carol, second, sandbox.get("MATRIX_BOT_USER"));
        MessageEvent asNick = MessageEvent.text(meta("n2").withProfile(Profile.named("danny")), "second room");
        adapter.deliver(new Delivery(BridgeMessageId.of(Sandbox.uniqueName("b")), RoomId.of("r2"),
                Portal.of("matrix", second), asNick, Optional.empty(), Optional.empty(), 1));
        assertEquals("danny", memberName(second));
        assertEquals("Dan D.", memberName(roomId), "the first room keeps the global name");
    }

    private String memberName(String room) {
        return matrix.call("GET", "/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.member/" + enc(danGhost),
                carol.accessToken(), null).body().path("displayname").asText();
    }

    @Test
    void directChatArrivesAsAnIsDirectInviteFromTheGhost() {
        String since = matrix.currentSyncToken(carol);
        String dm = adapter.ensureDirectChat(dan, RemoteUserId.of(carol.userId())).value();
        Instant deadline = Instant.now().plus(WAIT);
        String token = since;
        while (true) {
            JsonNode sync = matrix.sync(carol, token, 2000);
            for (JsonNode e : sync.path("rooms").path("invite").path(dm).path("invite_state").path("events")) {
                if ("m.room.member".equals(e.path("type").asText()) && carol.userId().equals(e.path("state_key").asText())) {
                    assertEquals(danGhost, e.path("sender").asText());
                    assertTrue(e.path("content").path("is_direct").asBoolean(), e.toString());
                    // asking again (a retry, a restart) finds the same DM through the ghost's m.direct
                    assertEquals(dm, adapter.ensureDirectChat(dan, RemoteUserId.of(carol.userId())).value());
                    return;
                }
            }
            token = sync.path("next_batch").asText(token);
            assertTrue(Instant.now().isBefore(deadline), "no DM invite for " + carol.userId());
        }
    }

    @Test
    void attachmentsAreRehostedInTheMediaRepository() throws Exception {
        byte[] png = java.util.Base64.getDecoder().decode(
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/upload/dot.png", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "image/png");
            exchange.sendResponseHeaders(200, png.length);
            exchange.getResponseBody().write(png);
            exchange.close();
        });
        server.start();
        try {
            String since = matrix.currentSyncToken(carol);
            URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/upload/dot.png");
            MessageEvent image = new MessageEvent(meta("x5"), MessageKind.TEXT, MessageBody.plain(""),
                    List.of(new Attachment(Attachment.Kind.IMAGE, uri, "image/png", Optional.of("dot.png"),
                            OptionalLong.of(png.length))), Optional.empty());
            String id = adapter.deliver(delivery(Sandbox.uniqueName("img"), image, null, 1)).remoteIds().get(0).value();
            JsonNode seen = matrix.awaitTimelineEvent(carol, roomId, since, e -> id.equals(e.path("event_id").asText()),
                    WAIT);
            assertEquals("m.image", seen.path("content").path("msgtype").asText());
            String mxc = seen.path("content").path("url").asText();
            assertTrue(mxc.startsWith("mxc://" + sandbox.get("MATRIX_SERVER_NAME") + "/"), mxc);
            // carol can fetch it through the authenticated media API
            java.net.http.HttpResponse<byte[]> download = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(URI.create(sandbox.get("MATRIX_URL")
                            + "/_matrix/client/v1/media/download/" + mxc.substring(6)))
                            .header("Authorization", "Bearer " + carol.accessToken()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, download.statusCode());
            assertTrue(java.util.Arrays.equals(png, download.body()), "the same bytes");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void presenceIsSetForTheGhost() {
        // carol may see the presence of people she shares a room with: the ghost joins by posting
        adapter.deliver(delivery(Sandbox.uniqueName("hi"), MessageEvent.text(meta("x9"), "hi"), null, 1));
        adapter.deliverPresence(new PresenceEvent(dan, Presence.AWAY, Optional.of("at lunch"), Profile.named("Dan D."),
                Instant.now()));
        JsonNode presence = matrix.call("GET", "/_matrix/client/v3/presence/" + enc(danGhost) + "/status",
                carol.accessToken(), null).body();
        assertEquals("unavailable", presence.path("presence").asText(), presence.toString());
        assertEquals("at lunch", presence.path("status_msg").asText(), presence.toString());
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
