package org.bridgeappliance.adapter.matrix.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.TypingEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** MSC2409 / spec v1.13 ephemeral events in transactions: m.typing, m.receipt, m.presence. */
class InboundEphemeralTest extends InboundFixture {
    private final TypingTracker typing = new TypingTracker();

    private List<BridgeEvent> edu(String json) {
        return converter.convertEphemeral(json(json), lookups, typing);
    }

    @Test
    void typingSetsBecomeStartsAndStops() {
        List<BridgeEvent> first = edu("{\"type\":\"m.typing\",\"room_id\":\"!room:matrix.test\","
                + "\"content\":{\"user_ids\":[\"@alice:matrix.test\",\"@_xmpp_bob=40xmpp.test:matrix.test\"]}}");
        assertEquals(1, first.size());
        TypingEvent started = (TypingEvent) first.get(0);
        assertEquals(UserRef.of("matrix", "@alice:matrix.test"), started.sender());
        assertEquals(true, started.typing());
        assertEquals(NOW, started.timestamp());
        assertEquals(List.of(), edu("{\"type\":\"m.typing\",\"room_id\":\"!room:matrix.test\","
                + "\"content\":{\"user_ids\":[\"@alice:matrix.test\"]}}"));
        List<BridgeEvent> stopped = edu("{\"type\":\"m.typing\",\"room_id\":\"!room:matrix.test\","
                + "\"content\":{\"user_ids\":[\"@carol:matrix.test\"]}}");
        assertEquals(2, stopped.size());
        assertEquals(UserRef.of("matrix", "@carol:matrix.test"), stopped.get(0).sender());
        assertEquals(true, ((TypingEvent) stopped.get(0)).typing());
        assertEquals(UserRef.of("matrix", "@alice:matrix.test"), stopped.get(1).sender());
        assertEquals(false, ((TypingEvent) stopped.get(1)).typing());
    }

    @Test
    void publicReadReceiptsOnly() {
        List<BridgeEvent> events = edu("""
                {"type":"m.receipt","room_id":"!room:matrix.test","content":{
                  "$msg":{"m.read":{"@alice:matrix.test":{"ts":1764144000000},
                                    "@bridgebot:matrix.test":{"ts":1}},
                          "m.read.private":{"@carol:matrix.test":{"ts":2}}}}}
                """);
        assertEquals(1, events.size());
        ReadMarkerEvent read = (ReadMarkerEvent) events.get(0);
        assertEquals(RemoteMessageId.of("$msg"), read.upTo());
        assertEquals(UserRef.of("matrix", "@alice:matrix.test"), read.sender());
        assertEquals(Instant.ofEpochMilli(1764144000000L), read.timestamp());
    }

    @ParameterizedTest
    @CsvSource({"online,AVAILABLE", "unavailable,AWAY", "offline,OFFLINE", "org.matrix.msc3026.busy,DO_NOT_DISTURB"})
    void presenceStates(String matrix, Presence expected) {
        PresenceEvent p = (PresenceEvent) edu("{\"type\":\"m.presence\",\"sender\":\"@alice:matrix.test\","
                + "\"content\":{\"presence\":\"" + matrix + "\",\"status_msg\":\"lunch\",\"displayname\":\"Alice\"}}")
                .get(0);
        assertEquals(expected, p.presence());
        assertEquals(Optional.of("lunch"), p.note());
        assertEquals(Profile.named("Alice"), p.profile());
    }

    @Test
    void ghostPresenceAndGarbageAreIgnored() {
        assertEquals(List.of(), edu("{\"type\":\"m.presence\",\"sender\":\"@_sip_x:matrix.test\","
                + "\"content\":{\"presence\":\"online\"}}"));
        assertEquals(List.of(), edu("{\"type\":\"m.presence\",\"sender\":\"@a:matrix.test\","
                + "\"content\":{\"presence\":\"dancing\"}}"));
        assertEquals(List.of(), edu("{\"type\":\"m.typing\",\"content\":{\"user_ids\":[\"@a:b\"]}}"));
        assertEquals(List.of(), edu("{\"type\":\"m.receipt\",\"room_id\":\"!r:m\",\"content\":{\"nope\":{}}}"));
        assertEquals(List.of(), edu("{\"type\":\"org.example.custom\"}"));
    }
}
