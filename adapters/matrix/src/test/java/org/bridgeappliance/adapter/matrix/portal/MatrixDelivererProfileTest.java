package org.bridgeappliance.adapter.matrix.portal;

import org.bridgeappliance.adapter.matrix.id.StandInAddressing;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.bridgeappliance.adapter.matrix.json.Json;
import org.bridgeappliance.adapter.matrix.media.MediaFetcher;
import org.bridgeappliance.adapter.matrix.testing.FakeHomeserver;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-room names (XEP-0045 nicks) survive global profile changes: the homeserver rewrites a ghost's member event in
 * every room with the global name and avatar when either changes (Synapse's update_join_states), so the deliverer
 * puts the per-room names back at once and again whenever such a rewrite arrives through the AS stream.
 */
class MatrixDelivererProfileTest {
    static final UserRef BOB = UserRef.of("xmpp", "bob@xmpp.test");
    static final String BOB_GHOST = "@_xmpp_bob=40xmpp.test:matrix.test";
    static final String ONE = "!one:matrix.test";
    static final String TWO = "!two:matrix.test";
    static final String THREE = "!three:matrix.test";
    static final Portal MUC = Portal.of("xmpp", "room@conference.xmpp.test");

    final FakeHomeserver homeserver = new FakeHomeserver("@bridgebot:matrix.test");
    final GhostIdCodec codec = new GhostIdCodec("matrix.test", "bridgebot", List.of("xmpp", "sip"), StandInAddressing.INSTANCE);
    final MatrixClient client = new MatrixClient(homeserver, "as", 1, Duration.ofSeconds(1), d -> { });
    // mxc: avatars need no fetch; the fetcher itself is MediaFetcherTest's business.
    final MediaFetcher media = new MediaFetcher(client, 1000, Duration.ofSeconds(1));
    final GhostManager ghosts = new GhostManager(client, codec, InMemoryStores.create().puppets(), media,
            Clock.systemUTC());
    final PortalManager portals = new PortalManager(client, codec, ghosts, () -> null);
    final MatrixDeliverer deliverer = new MatrixDeliverer(client, codec, ghosts, portals, media);
    int ids;

    @BeforeEach
    void bobIsKnownAsBobAndUsesNicksInTwoRooms() {
        ghosts.ensure(BOB, Profile.named("Bob"));
        say(ONE, Profile.named("Bob"));          // the global name in room one: nothing per room
        say(TWO, Profile.named("bobby"));        // a nick in room two
        say(THREE, Profile.named("b0b"));        // another in room three
        assertEquals(List.of(), members(ONE));
        assertEquals(1, members(TWO).size());
        assertEquals(1, members(THREE).size());
    }

    private void say(String room, Profile profile) {
        deliver(room, MessageEvent.text(meta(profile), "hello " + ids));
    }

    private void deliver(String room, RoomEvent event) {
        deliverer.deliver(new Delivery(BridgeMessageId.of("m" + (++ids)), RoomId.of("r"), Portal.of("matrix", room), event,
                Optional.empty(), Optional.empty(), 1));
    }

    private EventMeta meta(Profile profile) {
        return new EventMeta(MUC, BOB, profile, Optional.of(RemoteMessageId.of("x" + ids)), Instant.now());
    }

    private List<JsonNode> members(String room) {
        return homeserver.calls("PUT /_matrix/client/v3/rooms/" + room + "/state/m.room.member/" + BOB_GHOST).stream()
                .map(c -> {
                    try {
                        return Json.parse(c.body());
                    } catch (Json.MalformedJsonException e) {
                        throw new AssertionError(e);
                    }
                }).toList();
    }

    private static JsonNode memberEvent(String room, String sender, String subject, String membership, String name,
                                        String avatar) {
        var content = Json.object().put("membership", membership).put("displayname", name);
        if (avatar != null) {
            content.put("avatar_url", avatar);
        }
        var event = Json.object().put("type", "m.room.member").put("room_id", room).put("sender", sender)
                .put("state_key", subject).put("event_id", "$" + room + name);
        event.set("content", content);
        return event;
    }

    @Test
    void aNewAvatarOnARoomEventPutsThePerRoomNamesBackWithTheNewAvatar() {
        say(ONE, new Profile(Optional.of("Bob"), Optional.of(URI.create("mxc://xmpp.example/new-face"))));

        assertEquals(1, homeserver.calls("PUT /_matrix/client/v3/profile/" + BOB_GHOST + "/avatar_url").size());
        assertEquals(1, homeserver.calls("PUT /_matrix/client/v3/profile/" + BOB_GHOST + "/displayname").size());
        JsonNode two = members(TWO).get(1);
        assertEquals("bobby", two.path("displayname").asText());
        assertEquals("mxc://xmpp.example/new-face", two.path("avatar_url").asText());
        JsonNode three = members(THREE).get(1);
        assertEquals("b0b", three.path("displayname").asText());
        assertEquals("mxc://xmpp.example/new-face", three.path("avatar_url").asText());
        assertEquals(List.of(), members(ONE), "room one shows the global name: the homeserver's rewrite is right there");

        // the same avatar again: nothing happens anywhere
        int before = homeserver.calls.size();
        say(TWO, new Profile(Optional.of("bobby"), Optional.of(URI.create("mxc://xmpp.example/new-face"))));
        assertEquals(List.of("PUT /_matrix/client/v3/rooms/" + TWO + "/send/m.room.message/"),
                homeserver.calls.subList(before, homeserver.calls.size()).stream()
                        .map(c -> c.method() + " " + c.path().substring(0, c.path().lastIndexOf('/') + 1)).toList());
    }

    @Test
    void aGlobalNameChangeFromPresenceKeepsTheNicksThatDifferFromIt() {
        deliverer.presence(new PresenceEvent(BOB, Presence.AVAILABLE, Optional.empty(), Profile.named("b0b"),
                Instant.now()));
        assertEquals(2, homeserver.calls("PUT /_matrix/client/v3/profile/" + BOB_GHOST + "/displayname").size());
        assertEquals(2, members(TWO).size());
        assertEquals("bobby", members(TWO).get(1).path("displayname").asText());
        assertEquals(1, members(THREE).size(), "b0b is the global name now: the rewrite shows it");
        // in room one the nick was the old global name: a nick all the same, and it now differs
        assertEquals(1, members(ONE).size());
        assertEquals("Bob", members(ONE).get(0).path("displayname").asText());
    }

    @Test
    void aJoinWithAnAvatarSetsItGlobally() {
        deliver(THREE, new MembershipEvent(meta(new Profile(Optional.of("b0b"),
                Optional.of(URI.create("mxc://xmpp.example/face")))), BOB, MembershipEvent.Membership.JOIN,
                Optional.empty()));
        assertEquals(1, homeserver.calls("PUT /_matrix/client/v3/profile/" + BOB_GHOST + "/avatar_url").size());
        assertEquals("mxc://xmpp.example/face", members(TWO).get(1).path("avatar_url").asText());
    }

    @Test
    void aRewriteArrivingLaterThroughTheAsStreamIsCorrectedOnce() {
        // Synapse's background task stomps room two with the global profile after the avatar change.
        deliverer.observe(memberEvent(TWO, BOB_GHOST, BOB_GHOST, "join", "Bob", "mxc://matrix.test/global"));
        assertEquals(2, members(TWO).size());
        assertEquals("bobby", members(TWO).get(1).path("displayname").asText());
        assertEquals("mxc://matrix.test/global", members(TWO).get(1).path("avatar_url").asText());

        // our own correction comes back through the stream: no further write (no ping-pong)
        deliverer.observe(memberEvent(TWO, BOB_GHOST, BOB_GHOST, "join", "bobby", "mxc://matrix.test/global"));
        // a room without a per-room name, other users, other memberships, the bot: none of our business
        deliverer.observe(memberEvent(ONE, BOB_GHOST, BOB_GHOST, "join", "Bob", null));
        deliverer.observe(memberEvent(TWO, "@alice:matrix.test", "@alice:matrix.test", "join", "Alice", null));
        deliverer.observe(memberEvent(TWO, "@bridgebot:matrix.test", BOB_GHOST, "leave", "Bob", null));
        deliverer.observe(memberEvent(TWO, "@bridgebot:matrix.test", "@bridgebot:matrix.test", "join", "x", null));
        deliverer.observe(Json.object().put("type", "m.room.message"));
        deliverer.observe(Json.object()); // malformed: ignored, never throws
        assertEquals(2, members(TWO).size());
        assertEquals(List.of(), members(ONE));
    }

    @Test
    void aFailedCorrectionForgetsTheNickSoTheNextMessageThereSetsItAgain() {
        homeserver.override("PUT /_matrix/client/v3/rooms/" + TWO + "/state/", 403, "{\"errcode\":\"M_FORBIDDEN\"}");
        deliverer.observe(memberEvent(TWO, BOB_GHOST, BOB_GHOST, "join", "Bob", null)); // does not throw
        assertEquals(2, members(TWO).size());
        say(TWO, Profile.named("bobby"));
        assertEquals(3, members(TWO).size());
        assertEquals("bobby", members(TWO).get(2).path("displayname").asText());
        assertFalse(members(TWO).get(2).has("avatar_url"), "no avatar known anywhere");
        assertTrue(homeserver.calls("GET /_matrix/client/v3/profile/" + BOB_GHOST).size() >= 1,
                "the global avatar is asked for when not known here");
    }
}
