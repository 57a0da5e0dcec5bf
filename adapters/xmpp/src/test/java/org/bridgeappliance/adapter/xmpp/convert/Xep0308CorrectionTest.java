package org.bridgeappliance.adapter.xmpp.convert;

import static org.bridgeappliance.adapter.xmpp.convert.Stanzas.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Optional;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.Profile;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.Test;

class Xep0308CorrectionTest {
    @Test
    void correctionBecomesAnEditOfTheReplacedId() {
        EditEvent edit = (EditEvent) only(in("""
                <message from='alice@xmpp.test/pc' to='bob%matrix.test@matrix.xmpp.test' type='chat' id='m2'>
                  <body>fixed text</body><replace id='m1' xmlns='urn:xmpp:message-correct:0'/>
                </message>""", DM, "m2"));
        assertEquals(RemoteMessageId.of("m1"), edit.target());
        assertEquals("fixed text", edit.newBody().plain());
        assertEquals(Optional.of(RemoteMessageId.of("m2")), edit.remoteId());
    }

    @Test
    void inAMucTheMessageIdIsMappedToTheRoomsId() {
        Message m = parse("""
                <message from='room@conference.xmpp.test/Alice' to='x@matrix.xmpp.test' type='groupchat' id='m2'>
                  <body>fixed</body><replace id='m1' xmlns='urn:xmpp:message-correct:0'/>
                </message>""");
        var result = IN.convert(m, new XmppInboundConverter.Context(MUC, ALICE, Profile.EMPTY, Optional.empty(), NOW,
                true, id -> id.equals("m1") ? "stanza-id-1" : id));
        assertEquals(RemoteMessageId.of("stanza-id-1"), ((EditEvent) only(result)).target());
    }

    @Test
    void correctionWithoutBodyIsNotAnEdit() {
        var result = in("<message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat' id='m2'>"
                + "<replace id='m1' xmlns='urn:xmpp:message-correct:0'/></message>", DM, "m2");
        assertTrue(result.isEmpty(), result.toString());
    }

    @Test
    void editGoesOutAsReplaceOfTheReferencedCopy() {
        String xml = out(new EditEvent(bobMeta(), RemoteMessageId.of("$orig"), MessageBody.plain("new")),
                Message.Type.groupchat, "xmpp-copy-1", null);
        assertTrue(xml.contains("<replace xmlns='urn:xmpp:message-correct:0' id='xmpp-copy-1'/>"), xml);
        assertTrue(xml.contains("<body>new</body>"), xml);
        assertTrue(xml.contains("<origin-id xmlns='urn:xmpp:sid:0' id='out-1'/>"), xml);
    }

    @Test
    void editWithoutReferenceIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> out(new EditEvent(bobMeta(), RemoteMessageId.of("$o"),
                MessageBody.plain("x")), Message.Type.chat, null, null));
    }
}
