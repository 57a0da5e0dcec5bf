package org.bridgeappliance.adapter.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.adapter.matrix.registration.RegistrationException;
import org.bridgeappliance.adapter.matrix.registration.RegistrationGenerator;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver.Call;
import org.bridgeappliance.adapter.matrix.testing.RecordingIngress;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.model.TypingEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.AdapterState.Status;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter against a fake homeserver: start-up checks, health, and every delivery kind. */
class MatrixAdapterTest {
    static final String ROOM = "!room:matrix.test";
    static final String BOB_GHOST = "@_xmpp_bob=40xmpp.test:matrix.test";
    static final UserRef BOB = UserRef.of("xmpp", "bob@xmpp.test");
    static final Portal XMPP_ROOM = Portal.of("xmpp", "room@conference.xmpp.test");

    final FakeHomeserver homeserver = new FakeHomeserver("@bridgebot:matrix.test");
    final BlockingQueue<AdapterState> states = new LinkedBlockingQueue<>();
    final BridgeStores stores = InMemoryStores.create();
    MatrixConfig config;
    MatrixAdapter adapter;

    @TempDir
    java.nio.file.Path dir;

    @BeforeEach
    void setUp() {
        config = new MatrixConfig();
        config.setGhostNetworks(java.util.List.of("xmpp", "sip")); // the appliance derives these from its configuration
        config.setEnabled(true);
        config.setAsToken("as-token");
        config.setHsToken("hs-token");
        config.setHealthProbeInterval(Duration.ofMillis(100));
        config.setMaxAttempts(1);
        adapter = new MatrixAdapter(config, c -> homeserver);
    }

    @AfterEach
    void tearDown() {
        adapter.stop();
    }

    private void start() throws InterruptedException {
        adapter.start(new AdapterContext(new RecordingIngress(), (n, s) -> states.add(s), stores, Clock.systemUTC()));
        awaitState(Status.CONNECTED);
    }

    private void awaitState(Status wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (adapter.state().status() != wanted) {
            AdapterState next = states.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000),
                    TimeUnit.MILLISECONDS);
            if (next == null && System.nanoTime() > deadline) {
                throw new AssertionError("state " + wanted + " not reached; now " + adapter.state());
            }
        }
    }

    private static EventMeta meta(String remoteId) {
        return new EventMeta(XMPP_ROOM, BOB, Profile.named("Bob"), Optional.ofNullable(remoteId).map(RemoteMessageId::of),
                Instant.parse("2026-11-26T08:00:00Z"));
    }

    private static Delivery delivery(String id, RoomEvent event, Delivery.Reference reference, int attempt) {
        return new Delivery(BridgeMessageId.of(id), RoomId.of("r1"), Portal.of("matrix", ROOM), event,
                Optional.ofNullable(reference), Optional.empty(), attempt);
    }

    private static Delivery.Reference ref(String eventId, UserRef author) {
        return new Delivery.Reference(List.of(RemoteMessageId.of(eventId)), author);
    }

    @Test
    void startUpRegistersTheBotChecksWhoamiAndPings() throws Exception {
        start();
        assertTrue(homeserver.calls("GET /_matrix/client/v3/account/whoami").size() >= 1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (homeserver.calls("POST /_matrix/client/v1/appservice/bridge-appliance/ping").isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "no AS ping");
            Thread.onSpinWait();
        }
    }

    @Test
    void messageIsSentAsTheGhostAndRetriesAreIdempotent() throws Exception {
        start();
        MessageEvent message = new MessageEvent(meta("x1"), org.bridgeappliance.core.model.MessageKind.TEXT,
                MessageBody.html("hi *there*", "hi <b>there</b>"), List.of(), Optional.empty());
        DeliveryReceipt first = adapter.deliver(delivery("m1", message, null, 1));
        DeliveryReceipt retry = adapter.deliver(delivery("m1", message, null, 2));
        assertEquals(1, first.remoteIds().size());
        assertEquals(first, retry, "the same txn id gives the same event");
        List<Call> sends = homeserver.calls("PUT /_matrix/client/v3/rooms/" + ROOM + "/send/m.room.message/");
        assertEquals(2, sends.size());
        assertEquals(sends.get(0).path(), sends.get(1).path());
        assertEquals(BOB_GHOST, sends.get(0).userId());
        assertTrue(sends.get(0).body().contains("\"formatted_body\":\"hi <b>there</b>\""), sends.get(0).body());
        // ghost registered, named and joined; bot joined first
        assertTrue(homeserver.calls("POST /_matrix/client/v3/register").stream()
                .anyMatch(c -> c.body().contains("_xmpp_bob=40xmpp.test")));
        assertTrue(homeserver.calls("PUT /_matrix/client/v3/profile/" + BOB_GHOST + "/displayname").stream()
                .anyMatch(c -> c.body().contains("\"Bob\"")));
        List<Call> joins = homeserver.calls("POST /_matrix/client/v3/join/" + ROOM);
        assertEquals("@bridgebot:matrix.test", joins.get(0).userId());
        assertEquals(BOB_GHOST, joins.get(1).userId());
        assertEquals("Bob", stores.puppets().find(BOB, MatrixAdapter.NETWORK).orElseThrow().profile()
                .displayName().orElseThrow());
    }

    @Test
    void editsReactionsRetractionsAndTyping() throws Exception {
        start();
        adapter.deliver(delivery("e1", new EditEvent(meta("x2"), RemoteMessageId.of("x1"), MessageBody.plain("fixed")),
                ref("$orig", BOB), 1));
        Call edit = homeserver.calls("PUT /_matrix/client/v3/rooms/" + ROOM + "/send/m.room.message/").get(0);
        assertTrue(edit.body().contains("\"rel_type\":\"m.replace\",\"event_id\":\"$orig\""), edit.body());

        DeliveryReceipt reaction = adapter.deliver(delivery("r1",
                new ReactionEvent(meta("x3"), RemoteMessageId.of("x1"), "👍", true), ref("$orig", BOB), 1));
        assertEquals(1, reaction.remoteIds().size());
        Call react = homeserver.calls("PUT /_matrix/client/v3/rooms/" + ROOM + "/send/m.reaction/").get(0);
        assertEquals(BOB_GHOST, react.userId());

        adapter.deliver(delivery("r2", new ReactionEvent(meta("x4"), RemoteMessageId.of("x1"), "👍", false),
                ref(reaction.remoteIds().get(0).value(), BOB), 1));
        Call unreact = homeserver.calls("PUT /_matrix/client/v3/rooms/" + ROOM + "/redact/").get(0);
        assertTrue(unreact.path().contains("/redact/" + reaction.remoteIds().get(0).value() + "/"), unreact.path());

        adapter.deliver(delivery("d1", new RetractionEvent(meta("x5"), RemoteMessageId.of("x1"), true,
                Optional.of("spam")), ref("$orig", UserRef.of("matrix", "@alice:matrix.test")), 1));
        Call moderation = homeserver.calls("PUT /_matrix/client/v3/rooms/" + ROOM + "/redact/$orig/").get(0);
        assertEquals("@bridgebot:matrix.test", moderation.userId());
        assertTrue(moderation.body().contains("spam"));

        adapter.deliver(delivery("t1", new TypingEvent(meta(null), true), null, 1));
        Call typing = homeserver.calls("PUT /_matrix/client/v3/rooms/" + ROOM + "/typing/" + BOB_GHOST).get(0);
        assertTrue(typing.body().contains("\"typing\":true"));

        assertThrows(PermanentDeliveryException.class, () -> adapter.deliver(delivery("e2",
                new EditEvent(meta("x6"), RemoteMessageId.of("x1"), MessageBody.plain("x")), null, 1)));
    }

    @Test
    void perRoomNicksGoIntoTheRoomsMemberEventNotTheGlobalName() throws Exception {
        start();
        adapter.deliver(delivery("n1", MessageEvent.text(meta("n1"), "in room one"), null, 1));
        Delivery inOtherRoom = new Delivery(BridgeMessageId.of("n2"), RoomId.of("r2"), Portal.of("matrix", "!two:matrix.test"),
                MessageEvent.text(meta("n2").withProfile(Profile.named("bobby")), "in room two"), Optional.empty(),
                Optional.empty(), 1);
        adapter.deliver(inOtherRoom);
        adapter.deliver(new Delivery(BridgeMessageId.of("n3"), RoomId.of("r2"), Portal.of("matrix", "!two:matrix.test"),
                MessageEvent.text(meta("n3").withProfile(Profile.named("bobby")), "again"), Optional.empty(),
                Optional.empty(), 1));
        assertEquals(1, homeserver.calls("PUT /_matrix/client/v3/profile/" + BOB_GHOST + "/displayname").size(),
                "the global name is set once");
        List<Call> member = homeserver.calls("PUT /_matrix/client/v3/rooms/!two:matrix.test/state/m.room.member/"
                + BOB_GHOST);
        assertEquals(1, member.size());
        assertTrue(member.get(0).body().contains("\"displayname\":\"bobby\""), member.get(0).body());
        assertEquals(List.of(), homeserver.calls("PUT /_matrix/client/v3/rooms/" + ROOM + "/state/m.room.member/"));
    }

    @Test
    void anXmppAvatarLinkUnderTheTrustedPrefixBecomesTheGhostsAvatarAndPerRoomNamesSurviveTheRewrite()
            throws Exception {
        com.sun.net.httpserver.HttpServer images = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
        images.createContext("/_bridge/xmpp/avatar/", x -> {
            fetches.incrementAndGet();
            x.getResponseHeaders().add("Content-Type", "image/png");
            x.sendResponseHeaders(200, 3);
            x.getResponseBody().write(new byte[] {1, 2, 3});
            x.close();
        });
        images.createContext("/", x -> { // anything else on this host: counted, never served
            fetches.incrementAndGet();
            x.sendResponseHeaders(404, -1);
            x.close();
        });
        images.start();
        try {
            String base = "http://127.0.0.1:" + images.getAddress().getPort();
            config.setMediaTrustedUrlPrefixes(List.of(base + "/_bridge/xmpp/avatar/"));
            start();
            String two = "!two:matrix.test";
            adapter.deliver(delivery("a1", MessageEvent.text(meta("a1"), "hi"), null, 1));
            adapter.deliver(new Delivery(BridgeMessageId.of("a2"), RoomId.of("r2"), Portal.of("matrix", two),
                    MessageEvent.text(meta("a2").withProfile(Profile.named("bobby")), "hi"), Optional.empty(),
                    Optional.empty(), 1));
            java.net.URI avatar = java.net.URI.create(base + "/_bridge/xmpp/avatar/bob@xmpp.test/0a1b/sig");
            adapter.deliver(delivery("a3", MessageEvent.text(meta("a3").withProfile(
                    new Profile(Optional.of("Bob"), Optional.of(avatar))), "new face"), null, 1));
            assertEquals(1, fetches.get());
            Call set = homeserver.calls("PUT /_matrix/client/v3/profile/" + BOB_GHOST + "/avatar_url").get(0);
            String mxc = set.body().replaceAll(".*\"avatar_url\":\"([^\"]*)\".*", "$1");
            String memberPath = "PUT /_matrix/client/v3/rooms/" + two + "/state/m.room.member/" + BOB_GHOST;
            List<Call> members = homeserver.calls(memberPath);
            assertEquals(2, members.size(), "the nick was put back at once");
            assertTrue(members.get(1).body().contains("\"displayname\":\"bobby\"")
                    && members.get(1).body().contains("\"avatar_url\":\"" + mxc + "\""), members.get(1).body());

            // Synapse's background rewrite reaches us through the AS stream: the nick is put back again.
            String rewrite = "{\"events\":[{\"type\":\"m.room.member\",\"room_id\":\"" + two + "\","
                    + "\"event_id\":\"$rw\",\"sender\":\"" + BOB_GHOST + "\",\"state_key\":\"" + BOB_GHOST + "\","
                    + "\"origin_server_ts\":1,\"content\":{\"membership\":\"join\",\"displayname\":\"Bob\","
                    + "\"avatar_url\":\"" + mxc + "\"}}]}";
            assertEquals(200, adapter.appService().orElseThrow().transaction("rw1", "Bearer hs-token", null,
                    rewrite.getBytes(java.nio.charset.StandardCharsets.UTF_8)).status());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (homeserver.calls(memberPath).size() < 3) {
                assertTrue(System.nanoTime() < deadline, "the rewrite was not corrected");
                Thread.onSpinWait();
            }
            assertTrue(homeserver.calls(memberPath).get(2).body().contains("\"displayname\":\"bobby\""));

            // a link outside the trusted prefix on the same loopback host is not fetched
            adapter.deliver(delivery("a4", MessageEvent.text(meta("a4").withProfile(new Profile(Optional.of("Bob"),
                    Optional.of(java.net.URI.create(base + "/elsewhere/face.png")))), "x"), null, 1));
            assertEquals(1, fetches.get());
            assertEquals(1, homeserver.calls("PUT /_matrix/client/v3/profile/" + BOB_GHOST + "/avatar_url").size());
        } finally {
            images.stop(0);
        }
    }

    @Test
    void membershipOfXmppUsersMovesTheirGhosts() throws Exception {
        start();
        adapter.deliver(delivery("j1", new MembershipEvent(meta("p1"), BOB, MembershipEvent.Membership.JOIN,
                Optional.empty()), null, 1));
        assertEquals(BOB_GHOST, homeserver.calls("POST /_matrix/client/v3/join/" + ROOM).get(1).userId());
        adapter.deliver(delivery("k1", new MembershipEvent(meta("p2"), BOB, MembershipEvent.Membership.KICK,
                Optional.of("bye")), null, 1));
        Call kick = homeserver.calls("POST /_matrix/client/v3/rooms/" + ROOM + "/kick").get(0);
        assertEquals("@bridgebot:matrix.test", kick.userId());
        assertTrue(kick.body().contains(BOB_GHOST) && kick.body().contains("bye"), kick.body());
    }

    @Test
    void rateLimitAndServerErrorsAreTransientForbiddenIsPermanent() throws Exception {
        start();
        MessageEvent message = MessageEvent.text(meta("x9"), "hello");
        adapter.deliver(delivery("warm", message, null, 1)); // ghost registered and joined
        homeserver.override("PUT /_matrix/client/v3/rooms/", 429,
                "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"retry_after_ms\":30000}");
        TransientDeliveryException limited = assertThrows(TransientDeliveryException.class,
                () -> adapter.deliver(delivery("m2", message, null, 1)));
        assertEquals(Optional.of(Duration.ofSeconds(30)), limited.retryAfter());
        homeserver.override("PUT /_matrix/client/v3/rooms/", 502, "bad gateway");
        assertThrows(TransientDeliveryException.class, () -> adapter.deliver(delivery("m3", message, null, 1)));
        // M_FORBIDDEN on send: the ghost re-joins once, then it is permanent
        homeserver.override("PUT /_matrix/client/v3/rooms/", 403, "{\"errcode\":\"M_FORBIDDEN\"}");
        homeserver.override("PUT /_matrix/client/v3/rooms/", 403, "{\"errcode\":\"M_FORBIDDEN\"}");
        assertThrows(PermanentDeliveryException.class, () -> adapter.deliver(delivery("m4", message, null, 1)));
        homeserver.override("PUT /_matrix/client/v3/rooms/", 403, "{\"errcode\":\"M_FORBIDDEN\"}");
        assertEquals(1, adapter.deliver(delivery("m5", message, null, 1)).remoteIds().size());
    }

    @Test
    void unreachableHomeserverIsReportedAndRecovers() throws Exception {
        start();
        homeserver.setDown(true);
        assertThrows(TransientDeliveryException.class,
                () -> adapter.deliver(delivery("m1", MessageEvent.text(meta("y1"), "x"), null, 1)));
        awaitState(Status.RECONNECTING);
        homeserver.setDown(false);
        awaitState(Status.CONNECTED);
    }

    @Test
    void aRefusedAsTokenMidRunIsTransientAndReportedUntilItIsAcceptedAgain() throws Exception {
        start();
        MessageEvent message = MessageEvent.text(meta("z1"), "hello");
        adapter.deliver(delivery("warm", message, null, 1));
        homeserver.override("PUT /_matrix/client/v3/rooms/", 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
        homeserver.override("GET /_matrix/client/v3/account/whoami", 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
        assertThrows(TransientDeliveryException.class, () -> adapter.deliver(delivery("z2", message, null, 1)));
        assertEquals(Status.RECONNECTING, adapter.state().status());
        awaitState(Status.CONNECTED); // the probe's second whoami is accepted
        assertEquals(1, adapter.deliver(delivery("z3", message, null, 1)).remoteIds().size());
    }

    @Test
    void presenceIsSetOnTheGhost() throws Exception {
        start();
        adapter.deliverPresence(new PresenceEvent(BOB, Presence.DO_NOT_DISTURB, Optional.empty(), Profile.named("Bob"),
                Instant.now()));
        Call presence = homeserver.calls("PUT /_matrix/client/v3/presence/" + BOB_GHOST + "/status").get(0);
        assertEquals(BOB_GHOST, presence.userId());
        assertTrue(presence.body().contains("\"presence\":\"unavailable\"")
                && presence.body().contains("Do not disturb"), presence.body());
    }

    @Test
    void failuresAreReportedAsANoticeReplyingToTheOriginal() throws Exception {
        start();
        EventMeta alice = EventMeta.of(Portal.of("matrix", ROOM), UserRef.of("matrix", "@alice:matrix.test"), "$mine",
                Instant.now());
        adapter.reportFailure(new DeliveryFailure(MessageEvent.text(alice, "hi"), XMPP_ROOM, "remote server down", 5));
        Call notice = homeserver.calls("PUT /_matrix/client/v3/rooms/" + ROOM + "/send/m.room.message/").get(0);
        assertEquals("@bridgebot:matrix.test", notice.userId());
        assertTrue(notice.body().contains("\"msgtype\":\"m.notice\"") && notice.body().contains("$mine")
                && notice.body().contains("remote server down"), notice.body());
    }

    @Test
    void directChatIsCreatedByTheGhostWithIsDirect() throws Exception {
        start();
        assertEquals("!new1:matrix.test",
                adapter.ensureDirectChat(BOB, RemoteUserId.of("@alice:matrix.test")).value());
        Call create = homeserver.calls("POST /_matrix/client/v3/createRoom").get(0);
        assertEquals(BOB_GHOST, create.userId());
        assertTrue(create.body().contains("\"is_direct\":true") && create.body().contains("@alice:matrix.test"),
                create.body());
        // a second request (a retry, a restart) finds the DM in the ghost's m.direct instead of opening another
        homeserver.override("GET /_matrix/client/v3/rooms/!new1:matrix.test/state/m.room.member/@alice:matrix.test",
                200, "{\"membership\":\"invite\"}");
        assertEquals("!new1:matrix.test", adapter.ensureDirectChat(BOB, RemoteUserId.of("@alice:matrix.test")).value());
        assertEquals(1, homeserver.calls("POST /_matrix/client/v3/createRoom").size());
        // once alice has left it, a new one is opened
        assertEquals("!new2:matrix.test", adapter.ensureDirectChat(BOB, RemoteUserId.of("@alice:matrix.test")).value());
        assertThrows(PermanentDeliveryException.class,
                () -> adapter.ensureDirectChat(BOB, RemoteUserId.of("@_xmpp_x:matrix.test")));
    }

    @Test
    void bridgeUsersAreRecognisedBeforeStart() {
        assertTrue(adapter.isBridgeUser(RemoteUserId.of("@bridgebot:matrix.test")));
        assertTrue(adapter.isBridgeUser(RemoteUserId.of(BOB_GHOST)));
        assertTrue(!adapter.isBridgeUser(RemoteUserId.of("@alice:matrix.test")));
    }

    @Test
    void disabledAdapterOnlyReportsDisabled() {
        config.setEnabled(false);
        adapter.start(new AdapterContext(new RecordingIngress(), (n, s) -> states.add(s), stores, Clock.systemUTC()));
        assertEquals(Status.DISABLED, adapter.state().status());
        assertEquals(Optional.empty(), adapter.appService());
        assertEquals(List.of(), homeserver.calls);
    }

    @Test
    void tokensThatDoNotMatchTheRegistrationFileRefuseToStart() {
        java.nio.file.Path file = dir.resolve("registration.yaml");
        RegistrationGenerator.write(file, new MatrixConfig());
        config.setRegistrationFile(file.toString());
        assertThrows(RegistrationException.class, () -> adapter.start(new AdapterContext(new RecordingIngress(),
                (n, s) -> states.add(s), stores, Clock.systemUTC())));
        assertEquals(Status.FAILED, adapter.state().status());
        assertTrue(!adapter.state().detail().contains("as-token\u0000"));
        assertEquals(Optional.empty(), adapter.appService());
        assertEquals(List.of(), homeserver.calls);
    }

    @Test
    void aBadTrustedMediaPrefixRefusesToStartNamingIt() {
        config.setMediaTrustedUrlPrefixes(List.of("http://127.0.0.1:18480/_bridge/xmpp/avatar/", "127.0.0.1/avatars/"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adapter.start(
                new AdapterContext(new RecordingIngress(), (n, s) -> states.add(s), stores, Clock.systemUTC())));
        assertTrue(e.getMessage().contains("\"127.0.0.1/avatars/\""), e.getMessage());
        assertEquals(Status.FAILED, adapter.state().status());
        assertTrue(adapter.state().detail().contains("media-trusted-url-prefixes"), adapter.state().detail());
        assertEquals(List.of(), homeserver.calls);
    }

    @Test
    void mediaFetchingIsStrictByDefault() {
        MatrixConfig defaults = new MatrixConfig();
        assertTrue(!defaults.isMediaFetchPrivateHosts());
        assertEquals(List.of(), defaults.getMediaTrustedUrlPrefixes());
    }

    @Test
    void wrongAsTokenMakesTheAdapterFail() throws Exception {
        homeserver.override("GET /_matrix/client/v3/account/whoami", 401, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
        adapter.start(new AdapterContext(new RecordingIngress(), (n, s) -> states.add(s), stores, Clock.systemUTC()));
        awaitState(Status.FAILED);
        assertTrue(adapter.state().detail().contains("as_token"), adapter.state().detail());
    }
}
