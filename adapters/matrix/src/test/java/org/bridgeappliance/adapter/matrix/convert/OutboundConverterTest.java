package org.bridgeappliance.adapter.matrix.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Optional;
import java.util.OptionalLong;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Presence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Canonical to Matrix content: messages, replies with fallback, edits, reactions, media, presence, txn ids. */
class OutboundConverterTest extends InboundFixture {

    @ParameterizedTest
    @CsvSource({"TEXT,m.text", "EMOTE,m.emote", "NOTICE,m.notice"})
    void plainMessages(MessageKind kind, String msgtype) {
        assertEquals(json("{\"msgtype\":\"" + msgtype + "\",\"m.mentions\":{},\"body\":\"hi\"}"),
                MatrixOutboundConverter.message(kind, MessageBody.plain("hi"), Optional.empty()));
    }

    @Test
    void htmlIsSanitisedOnTheWayOutToo() {
        assertEquals(json("{\"msgtype\":\"m.text\",\"m.mentions\":{},\"body\":\"b\",\"format\":\"org.matrix.custom.html\","
                        + "\"formatted_body\":\"<b>b</b>\"}"),
                MatrixOutboundConverter.message(MessageKind.TEXT, MessageBody.html("b", "<b onclick=x>b</b><script>1</script>"),
                        Optional.empty()));
    }

    @Test
    void replyCarriesRelationMentionAndFallback() {
        ReplyFallback.Quoted quoted = new ReplyFallback.Quoted("!room:matrix.test", "$orig", "@alice:matrix.test",
                Optional.of("original\nsecond"), Optional.empty());
        var content = MatrixOutboundConverter.message(MessageKind.TEXT, MessageBody.plain("answer <3"),
                Optional.of(new MatrixOutboundConverter.ReplyTarget("$orig", "@alice:matrix.test", Optional.of(quoted))));
        assertEquals("$orig", content.at("/m.relates_to/m.in_reply_to/event_id").asText());
        assertEquals("@alice:matrix.test", content.at("/m.mentions/user_ids/0").asText());
        assertEquals("> <@alice:matrix.test> original\n> second\n\nanswer <3", content.get("body").asText());
        assertEquals("<mx-reply><blockquote><a href=\"https://matrix.to/#/%21room%3Amatrix.test/%24orig\">In reply to</a> "
                + "<a href=\"https://matrix.to/#/%40alice%3Amatrix.test\">@alice:matrix.test</a><br>original<br>second"
                + "</blockquote></mx-reply>answer &lt;3", content.get("formatted_body").asText());
        // and our own inbound side strips it again
        MessageBody back = MatrixInboundConverter.body(content, true);
        assertEquals("answer <3", back.plain());
        assertEquals(Optional.of("answer &lt;3"), back.html());
    }

    @Test
    void replyWithoutQuotedTextHasNoFallback() {
        var content = MatrixOutboundConverter.message(MessageKind.TEXT, MessageBody.plain("answer"),
                Optional.of(new MatrixOutboundConverter.ReplyTarget("$orig", "@_xmpp_b=40x:matrix.test", Optional.empty())));
        assertEquals("answer", content.get("body").asText());
        assertEquals("$orig", content.at("/m.relates_to/m.in_reply_to/event_id").asText());
    }

    @Test
    void editHasNewContentAndStarFallback() {
        assertEquals(json("""
                {"msgtype":"m.text","body":"* fixed","format":"org.matrix.custom.html","formatted_body":"* <i>fixed</i>",
                 "m.new_content":{"msgtype":"m.text","m.mentions":{},"body":"fixed","format":"org.matrix.custom.html",
                                  "formatted_body":"<i>fixed</i>"},
                 "m.relates_to":{"rel_type":"m.replace","event_id":"$orig"},"m.mentions":{}}
                """), MatrixOutboundConverter.edit(MessageKind.TEXT, MessageBody.html("fixed", "<i>fixed</i>"), "$orig"));
    }

    @Test
    void reactionAnnotates() {
        assertEquals(json("{\"m.relates_to\":{\"rel_type\":\"m.annotation\",\"event_id\":\"$m\",\"key\":\"👍\"}}"),
                MatrixOutboundConverter.reaction("$m", "👍"));
    }

    @Test
    void attachmentContent() {
        Attachment a = new Attachment(Attachment.Kind.IMAGE, URI.create("https://x/cat.png"), "image/png",
                Optional.of("cat.png"), OptionalLong.of(10));
        assertEquals(json("{\"msgtype\":\"m.image\",\"body\":\"cat.png\",\"filename\":\"cat.png\",\"url\":\"mxc://m/abc\","
                + "\"info\":{\"mimetype\":\"image/png\",\"size\":10},\"m.mentions\":{}}").toString(),
                MatrixOutboundConverter.attachment(a, "mxc://m/abc").toString());
        var link = MatrixOutboundConverter.attachmentLink(a);
        assertEquals("cat.png: https://x/cat.png", link.get("body").asText());
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {"AVAILABLE,online,null", "AWAY,unavailable,null",
        "DO_NOT_DISTURB,unavailable,Do not disturb", "ON_THE_PHONE,unavailable,On the phone", "OFFLINE,offline,null"})
    void presence(Presence presence, String matrix, String status) {
        assertEquals(matrix, MatrixOutboundConverter.presence(presence));
        assertEquals(Optional.ofNullable(status), MatrixOutboundConverter.statusMessage(presence, Optional.empty()));
        assertEquals(Optional.of("note"), MatrixOutboundConverter.statusMessage(presence, Optional.of("note")));
    }

    @Test
    void transactionIdsAreDeterministicPerMessageStepAndPart() {
        BridgeMessageId id = BridgeMessageId.of("0b7c-uuid");
        assertEquals(MatrixOutboundConverter.txnId(id, "msg", 0), MatrixOutboundConverter.txnId(id, "msg", 0));
        assertNotEquals(MatrixOutboundConverter.txnId(id, "msg", 0), MatrixOutboundConverter.txnId(id, "msg", 1));
        assertNotEquals(MatrixOutboundConverter.txnId(id, "msg", 0),
                MatrixOutboundConverter.txnId(BridgeMessageId.of("other"), "msg", 0));
        assertTrue(MatrixOutboundConverter.txnId(id, "msg", 0).matches("ba[0-9a-f]{32}"));
    }
}
