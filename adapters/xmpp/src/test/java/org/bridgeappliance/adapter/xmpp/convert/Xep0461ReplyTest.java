package org.bridgeappliance.adapter.xmpp.convert;

import static org.bridgeappliance.adapter.xmpp.convert.Stanzas.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.Test;

/** XEP-0461 replies with their XEP-0428 fallback. */
class Xep0461ReplyTest {
    @Test
    void replyFallbackQuoteIsRemovedByCodePointRange() {
        // "> 🐢 said hi\n" is 12 code points (the emoji is two UTF-16 chars).
        MessageEvent m = (MessageEvent) only(in("""
                <message from='alice@xmpp.test/pc' to='bob%matrix.test@matrix.xmpp.test' type='chat' id='m3'>
                  <body>&gt; 🐢 said hi
                answer</body>
                  <reply to='bob%matrix.test@matrix.xmpp.test/bridge' id='m1' xmlns='urn:xmpp:reply:0'/>
                  <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'><body start='0' end='12'/></fallback>
                </message>""", DM, "m3"));
        assertEquals("answer", m.body().plain());
        assertEquals(Optional.of(RemoteMessageId.of("m1")), m.replyTo());
    }

    @Test
    void fallbackOfAnUnmappedFeatureStays() {
        MessageEvent m = (MessageEvent) only(in("""
                <message from='alice@xmpp.test/pc' to='b@matrix.xmpp.test' type='chat' id='m4'>
                  <body>[poll] vote now</body>
                  <fallback xmlns='urn:xmpp:fallback:0' for='urn:example:polls'><body start='0' end='6'/></fallback>
                </message>""", DM, "m4"));
        assertEquals("[poll] vote now", m.body().plain());
    }

    @Test
    void outboundReplyHasNoQuoteInTheBody() {
        var event = new MessageEvent(bobMeta(), MessageKind.TEXT, MessageBody.plain("sure"), List.of(),
                Optional.of(RemoteMessageId.of("$q")));
        String xml = out(event, Message.Type.groupchat, null, "stanza-5");
        assertTrue(xml.contains("<reply xmlns='urn:xmpp:reply:0' id='stanza-5'/>"), xml);
        assertTrue(xml.contains("<body>sure</body>"), xml);
        assertFalse(xml.contains("fallback"), xml);
    }
}
