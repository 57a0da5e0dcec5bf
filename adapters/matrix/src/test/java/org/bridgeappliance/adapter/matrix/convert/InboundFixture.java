package org.bridgeappliance.adapter.matrix.convert;

import org.bridgeappliance.adapter.matrix.id.StandInAddressing;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.bridgeappliance.adapter.matrix.json.Json;
import org.bridgeappliance.core.model.BridgeEvent;

/** Shared set-up of the inbound converter tests: a converter for server matrix.test and JSON literals. */
abstract class InboundFixture {
    static final Instant NOW = Instant.parse("2026-11-26T08:00:00Z");
    final GhostIdCodec codec = new GhostIdCodec("matrix.test", "bridgebot", List.of("xmpp", "sip"), StandInAddressing.INSTANCE);
    final MatrixInboundConverter converter = new MatrixInboundConverter(codec::isBridgeUser, codec::personOf,
            Clock.fixed(NOW, ZoneOffset.UTC));
    MatrixInboundConverter.Lookups lookups = new MatrixInboundConverter.Lookups() {
    };

    List<BridgeEvent> convert(String json) {
        try {
            return converter.convertEvent(Json.parse(json), lookups);
        } catch (Json.MalformedJsonException e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode json(String json) {
        try {
            return Json.parse(json);
        } catch (Json.MalformedJsonException e) {
            throw new AssertionError(e);
        }
    }

    /** An m.room.message from @alice in !room with the given content JSON. */
    static String message(String content) {
        return "{\"type\":\"m.room.message\",\"room_id\":\"!room:matrix.test\",\"sender\":\"@alice:matrix.test\","
                + "\"event_id\":\"$ev1\",\"origin_server_ts\":1764144000000,\"content\":" + content + "}";
    }
}
