package org.bridgeappliance.adapter.xmpp.convert;

import static org.bridgeappliance.adapter.xmpp.convert.Stanzas.*;
import static org.junit.jupiter.api.Assertions.*;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.Test;

class Xep0066OobTest {
    @Test
    void oobLinkIsAnAttachmentAndTheRepeatedUrlIsNotText() {
        MessageEvent m = (MessageEvent) only(in("""
                <message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat' id='f1'>
                  <body>https://upload.xmpp.test/abc/cat.png</body>
                  <x xmlns='jabber:x:oob'><url>https://upload.xmpp.test/abc/cat.png</url></x>
                </message>""", DM, "f1"));
        assertEquals("", m.body().plain());
        Attachment a = m.attachments().get(0);
        assertEquals(Attachment.Kind.IMAGE, a.kind());
        assertEquals("image/png", a.mimeType());
        assertEquals(Optional.of("cat.png"), a.fileName());
    }

    @Test
    void nonHttpLinksAreNotAttachments() {
        MessageEvent m = (MessageEvent) only(in("<message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat' id='f2'>"
                + "<body>see</body><x xmlns='jabber:x:oob'><url>file:///etc/passwd</url></x></message>", DM, "f2"));
        assertTrue(m.attachments().isEmpty());
    }

    @Test
    void attachmentGoesOutAsOobWithTheUrlAsBody() {
        var a = new Attachment(Attachment.Kind.FILE, URI.create("https://media.test/doc.pdf"), "application/pdf",
                Optional.of("doc.pdf"), OptionalLong.of(10));
        String xml = out(new MessageEvent(bobMeta(), MessageKind.TEXT, MessageBody.plain("doc.pdf"), List.of(a),
                Optional.empty()), Message.Type.chat, null, null);
        assertTrue(xml.contains("<x xmlns='jabber:x:oob'><url>https://media.test/doc.pdf</url><desc>doc.pdf</desc></x>"), xml);
        assertTrue(xml.contains("<body>https://media.test/doc.pdf</body>"), xml);
    }
}
