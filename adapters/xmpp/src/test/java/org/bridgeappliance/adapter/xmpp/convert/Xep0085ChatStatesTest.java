package org.bridgeappliance.adapter.xmpp.convert;

import static org.bridgeappliance.adapter.xmpp.convert.Stanzas.*;
import static org.junit.jupiter.api.Assertions.*;

import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.TypingEvent;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class Xep0085ChatStatesTest {
    @ParameterizedTest
    @CsvSource({"composing,true", "paused,false", "active,false", "inactive,false", "gone,false"})
    void chatStatesAreTyping(String state, boolean typing) {
        TypingEvent t = (TypingEvent) only(in("<message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat'>"
                + "<" + state + " xmlns='http://jabber.org/protocol/chatstates'/></message>", DM, null));
        assertEquals(typing, t.typing());
    }

    @Test
    void aMessageWithActiveIsJustTheMessage() {
        assertInstanceOf(MessageEvent.class, only(in("<message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat' id='1'>"
                + "<body>hi</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>", DM, "1")));
    }

    @Test
    void typingGoesOutAsChatStateNotStored() {
        String xml = out(new TypingEvent(bobMeta(), true), Message.Type.chat, null, null);
        assertTrue(xml.contains("<composing xmlns='http://jabber.org/protocol/chatstates'/>"), xml);
        assertTrue(xml.contains("<no-store xmlns='urn:xmpp:hints'/>"), xml);
        assertFalse(xml.contains("<body>"), xml);
        assertTrue(out(new TypingEvent(bobMeta(), false), Message.Type.chat, null, null).contains("<active "));
    }
}
