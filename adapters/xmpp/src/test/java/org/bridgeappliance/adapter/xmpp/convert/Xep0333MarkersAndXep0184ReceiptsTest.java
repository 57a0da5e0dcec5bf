package org.bridgeappliance.adapter.xmpp.convert;

import static org.bridgeappliance.adapter.xmpp.convert.Stanzas.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.Test;

class Xep0333MarkersAndXep0184ReceiptsTest {
    @Test
    void displayedIsAReadMarker() {
        ReadMarkerEvent r = (ReadMarkerEvent) only(in("<message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat'>"
                + "<displayed xmlns='urn:xmpp:chat-markers:0' id='m7'/></message>", DM, null));
        assertEquals(RemoteMessageId.of("m7"), r.upTo());
    }

    @Test
    void receiptsAreIgnoredButRequestsAreNoted() {
        assertTrue(in("<message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat'>"
                + "<received xmlns='urn:xmpp:receipts' id='m1'/></message>", DM, null).isEmpty());
        var result = in("<message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat' id='m9'><body>x</body>"
                + "<request xmlns='urn:xmpp:receipts'/></message>", DM, "m9");
        assertTrue(result.wantsReceipt());
    }

    @Test
    void outboundMessagesAreMarkableAndRequestReceiptsIn1to1Only() {
        var m = new MessageEvent(bobMeta(), MessageKind.TEXT, MessageBody.plain("x"), List.of(), Optional.empty());
        String chat = out(m, Message.Type.chat, null, null);
        assertTrue(chat.contains("<markable xmlns='urn:xmpp:chat-markers:0'/>"), chat);
        assertTrue(chat.contains("<request xmlns='urn:xmpp:receipts'/>"), chat);
        String group = out(m, Message.Type.groupchat, null, null);
        assertFalse(group.contains("urn:xmpp:receipts"), group);
    }

    @Test
    void readMarkerGoesOutAsDisplayed() {
        String xml = out(new ReadMarkerEvent(bobMeta(), RemoteMessageId.of("$x")), Message.Type.chat, "m5", null);
        assertTrue(xml.contains("<displayed xmlns='urn:xmpp:chat-markers:0' id='m5'/>"), xml);
    }
}
