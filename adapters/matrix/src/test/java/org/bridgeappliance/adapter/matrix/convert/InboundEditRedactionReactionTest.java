package org.bridgeappliance.adapter.matrix.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.junit.jupiter.api.Test;

/** CS API "Event replacements" (m.replace), "Redactions" and "Event annotations" (m.annotation). */
class InboundEditRedactionReactionTest extends InboundFixture {

    @Test
    void editUsesTheNewContent() {
        EditEvent e = (EditEvent) convert(message("""
                {"msgtype":"m.text","body":"* fixed","format":"org.matrix.custom.html","formatted_body":"* <b>fixed</b>",
                 "m.new_content":{"msgtype":"m.text","body":"fixed","format":"org.matrix.custom.html",
                                  "formatted_body":"<b>fixed</b><script>x</script>"},
                 "m.relates_to":{"rel_type":"m.replace","event_id":"$orig"}}
                """)).get(0);
        assertEquals(RemoteMessageId.of("$orig"), e.target());
        assertEquals(MessageBody.html("fixed", "<b>fixed</b>"), e.newBody());
        assertEquals(Optional.of(RemoteMessageId.of("$ev1")), e.remoteId());
    }

    @Test
    void editWithoutNewContentFallsBackToTheBodyWithoutTheStar() {
        EditEvent e = (EditEvent) convert(message("""
                {"msgtype":"m.text","body":"* fixed","m.relates_to":{"rel_type":"m.replace","event_id":"$orig"}}
                """)).get(0);
        assertEquals(MessageBody.plain("fixed"), e.newBody());
    }

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

    @Test
    void redactionOfOwnMessageIsARetraction() {
        lookups = new MatrixInboundConverter.Lookups() {
            @Override
            public Optional<String> authorOf(String roomId, String eventId) {
                return Optional.of("@alice:matrix.test");
            }
        };
        RetractionEvent r = (RetractionEvent) convert(redaction("\"redacts\":\"$msg\",", "{}")).get(0);
        assertEquals(RemoteMessageId.of("$msg"), r.target());
        assertEquals(false, r.moderation());
    }

    @Test
    void roomV11RedactionWithReasonByAModerator() {
        lookups = new MatrixInboundConverter.Lookups() {
            @Override
            public Optional<String> authorOf(String roomId, String eventId) {
                return Optional.of("@bob:matrix.test");
            }
        };
        RetractionEvent r = (RetractionEvent) convert(redaction("", "{\"redacts\":\"$msg\",\"reason\":\"spam\"}"))
                .get(0);
        assertEquals(RemoteMessageId.of("$msg"), r.target());
        assertEquals(true, r.moderation());
        assertEquals(Optional.of("spam"), r.reason());
    }

    private static String redaction(String topLevel, String content) {
        return "{\"type\":\"m.room.redaction\",\"room_id\":\"!room:matrix.test\",\"sender\":\"@alice:matrix.test\","
                + "\"event_id\":\"$red\"," + topLevel + "\"origin_server_ts\":1,\"content\":" + content + "}";
    }
}
