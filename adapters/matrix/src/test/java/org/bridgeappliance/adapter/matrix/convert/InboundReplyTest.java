package org.bridgeappliance.adapter.matrix.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.MessageEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CS API "Rich replies": m.in_reply_to becomes replyTo and the fallback quote is stripped (bifrost #228). */
class InboundReplyTest extends InboundFixture {

    @Test
    void replyFallbackIsStrippedFromBothBodies() {
        MessageEvent m = (MessageEvent) convert(message("""
                {"msgtype":"m.text",
                 "body":"> <@bob:matrix.test> original line 1\\n> line 2\\n\\nmy answer",
                 "format":"org.matrix.custom.html",
                 "formatted_body":"<mx-reply><blockquote><a href=\\"https://matrix.to/#/!room:matrix.test/$orig\\">In reply to</a> <a href=\\"https://matrix.to/#/@bob:matrix.test\\">@bob:matrix.test</a><br>original</blockquote></mx-reply>my <b>answer</b>",
                 "m.relates_to":{"m.in_reply_to":{"event_id":"$orig"}}}
                """)).get(0);
        assertEquals(Optional.of(RemoteMessageId.of("$orig")), m.replyTo());
        assertEquals("my answer", m.body().plain());
        assertEquals(Optional.of("my <b>answer</b>"), m.body().html());
    }

    @Test
    void replyWithoutFallbackKeepsItsBody() {
        MessageEvent m = (MessageEvent) convert(message("""
                {"msgtype":"m.text","body":"> quoting is fine\\nwithout fallback?",
                 "m.relates_to":{"m.in_reply_to":{"event_id":"$orig"}}}
                """)).get(0);
        // A body starting with ">" in a reply is, by the spec, its fallback: stripped up to the first other line.
        assertEquals("without fallback?", m.body().plain());
    }

    @Test
    void quotesOutsideRepliesAreKept() {
        MessageEvent m = (MessageEvent) convert(message("{\"msgtype\":\"m.text\",\"body\":\"> not a reply\\n\\ntext\"}"))
                .get(0);
        assertEquals("> not a reply\n\ntext", m.body().plain());
        assertEquals(Optional.empty(), m.replyTo());
    }

    @Test
    void threadFallbackIsNotAReply() {
        MessageEvent m = (MessageEvent) convert(message("""
                {"msgtype":"m.text","body":"in thread",
                 "m.relates_to":{"rel_type":"m.thread","event_id":"$root","is_falling_back":true,
                                 "m.in_reply_to":{"event_id":"$last"}}}
                """)).get(0);
        assertEquals(Optional.empty(), m.replyTo());
        assertEquals("in thread", m.body().plain());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "> <@a:b> q\\n\\nanswer|answer",
        "> <@a:b> q\\n> q2\\n\\nanswer\\n> later quote|answer\\n> later quote",
        "> only quote|''",
        "no quote|no quote",
    })
    void stripPlainFollowsTheSpec(String body, String stripped) {
        assertEquals(stripped.replace("\\n", "\n"), ReplyFallback.stripPlain(body.replace("\\n", "\n")));
    }
}
