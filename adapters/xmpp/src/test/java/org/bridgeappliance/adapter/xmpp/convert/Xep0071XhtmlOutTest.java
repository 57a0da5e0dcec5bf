package org.bridgeappliance.adapter.xmpp.convert;

import static org.bridgeappliance.adapter.xmpp.convert.Stanzas.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.xhtmlim.packet.XHTMLExtension;
import org.junit.jupiter.api.Test;

/** Plain + HTML out: body always plain, XEP-0071 XHTML-IM well-formed and sanitised. */
class Xep0071XhtmlOutTest {
    @Test
    void htmlGoesOutAsWellFormedXhtmlThatReparses() {
        var event = new MessageEvent(bobMeta(), MessageKind.TEXT,
                MessageBody.html("bold\nline", "<b>bold</b><br>line<script>x</script>"), List.of(), Optional.empty());
        String xml = out(event, Message.Type.chat, null, null);
        assertTrue(xml.contains("<body>bold\nline</body>"), xml);
        assertTrue(xml.contains("<br />") || xml.contains("<br/>"), xml);
        assertFalse(xml.contains("script"), xml);
        Message reparsed = parse(xml);
        XHTMLExtension xhtml = XHTMLExtension.from(reparsed);
        assertNotNull(xhtml, xml);
        assertTrue(xhtml.getBodies().get(0).toString().contains("<b>bold</b>"), xhtml.getBodies().toString());
    }

    @Test
    void emoteIsSlashMe() {
        var event = new MessageEvent(bobMeta(), MessageKind.EMOTE, MessageBody.plain("waves"), List.of(), Optional.empty());
        String xml = out(event, Message.Type.groupchat, null, null);
        assertTrue(xml.contains("<body>/me waves</body>"), xml);
        MessageEvent back = (MessageEvent) only(in(xml.replace("from='bob%matrix.test@matrix.xmpp.test/bridge'",
                "from='a@xmpp.test'"), DM, "x"));
        assertEquals(MessageKind.EMOTE, back.kind());
        assertEquals("waves", back.body().plain());
    }
}
