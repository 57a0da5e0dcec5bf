package org.bridgeappliance.adapter.matrix.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.ReactionEvent;
import org.junit.jupiter.api.Test;

/** CS API "Event annotations": m.annotation reactions, and their removal by redaction. */
class InboundReactionTest extends InboundFixture {
    @Test
    void reactionAnnotatesItsTarget() {
        ReactionEvent r = (ReactionEvent) convert("""
                {"type":"m.reaction","room_id":"!room:matrix.test","sender":"@alice:matrix.test","event_id":"$r1",
                 "origin_server_ts":1,"content":{"m.relates_to":{"rel_type":"m.annotation","event_id":"$msg","key":"👍"}}}
                """).get(0);
        assertEquals(RemoteMessageId.of("$msg"), r.target());
        assertEquals("👍", r.key());
        assertEquals(true, r.added());
        assertEquals(Optional.of(RemoteMessageId.of("$r1")), r.remoteId());
    }

    @Test
    void malformedReactionsYieldNothing() {
        assertEquals(List.of(), convert("""
                {"type":"m.reaction","room_id":"!room:matrix.test","sender":"@alice:matrix.test","event_id":"$r1",
                 "content":{"m.relates_to":{"rel_type":"m.reference","event_id":"$msg","key":"x"}}}
                """));
        assertEquals(List.of(), convert("""
                {"type":"m.reaction","room_id":"!room:matrix.test","sender":"@alice:matrix.test","event_id":"$r1",
                 "content":{"m.relates_to":{"rel_type":"m.annotation","event_id":"$msg","key":""}}}
                """));
    }

    @Test
    void redactingAReactionRemovesIt() {
        lookups = new MatrixInboundConverter.Lookups() {
            @Override
            public Optional<MatrixInboundConverter.ReactionRef> reactionOf(String roomId, String eventId) {
                return eventId.equals("$r1") ? Optional.of(new MatrixInboundConverter.ReactionRef("$msg", "👍",
                        "@alice:matrix.test")) : Optional.empty();
            }
        };
        ReactionEvent r = (ReactionEvent) convert(redaction("\"redacts\":\"$r1\",", "{}")).get(0);
        assertEquals(RemoteMessageId.of("$msg"), r.target());
        assertEquals("👍", r.key());
        assertEquals(false, r.added());
    }

    private static String redaction(String topLevel, String content) {
        return "{\"type\":\"m.room.redaction\",\"room_id\":\"!room:matrix.test\",\"sender\":\"@alice:matrix.test\","
                + "\"event_id\":\"$red\"," + topLevel + "\"origin_server_ts\":1,\"content\":" + content + "}";
    }
}
