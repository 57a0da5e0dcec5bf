package org.bridgeappliance.adapter.xmpp.convert;

import static org.bridgeappliance.adapter.xmpp.convert.Stanzas.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.ReactionEvent;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.Test;

class Xep0444ReactionsTest {
    @Test
    void reactionsAreTheSendersFullSet() {
        var result = in("""
                <message from='alice@xmpp.test/pc' to='bob%matrix.test@matrix.xmpp.test' type='chat' id='r1'>
                  <reactions id='m1' xmlns='urn:xmpp:reactions:0'><reaction>👍</reaction><reaction>🐢</reaction>
                  <reaction>👍</reaction></reactions>
                  <store xmlns='urn:xmpp:hints'/>
                </message>""", DM, "r1");
        assertTrue(result.events().isEmpty());
        var set = result.reactions().orElseThrow();
        assertEquals(RemoteMessageId.of("m1"), set.target());
        assertEquals(Set.of("👍", "🐢"), set.keys());
    }

    @Test
    void emptySetRemovesEverything() {
        var set = in("<message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat' id='r2'>"
                + "<reactions id='m1' xmlns='urn:xmpp:reactions:0'/></message>", DM, "r2").reactions().orElseThrow();
        assertEquals(Set.of(), set.keys());
    }

    @Test
    void reconcilingSetsGivesAddsAndRemoves() {
        ReactionDiff diff = ReactionDiff.between(Set.of("👍", "❤"), Set.of("❤", "🎉"));
        assertEquals(Set.of("🎉"), diff.added());
        assertEquals(Set.of("👍"), diff.removed());
        assertTrue(ReactionDiff.between(Set.of("a"), Set.of("a")).isEmpty());
    }

    @Test
    void hostileSetIsUnparseable() {
        StringBuilder xml = new StringBuilder("<message from='a@xmpp.test' to='b@matrix.xmpp.test' id='r3'>"
                + "<reactions id='m1' xmlns='urn:xmpp:reactions:0'>");
        for (int i = 0; i < 100; i++) {
            xml.append("<reaction>").append(i).append("</reaction>");
        }
        xml.append("</reactions></message>");
        assertThrows(AssertionError.class, () -> parse(xml.toString()));
    }

    @Test
    void outboundSendsTheCompleteSetForTheReferencedMessage() {
        var event = new ReactionEvent(bobMeta(), RemoteMessageId.of("$target"), "🎉", true);
        String xml = out(event, Message.Type.groupchat, "stanza-9", null, new LinkedHashSet<>(List.of("👍", "🎉")));
        assertTrue(xml.contains("<reactions xmlns='urn:xmpp:reactions:0' id='stanza-9'><reaction>👍</reaction>"
                + "<reaction>🎉</reaction></reactions>"), xml);
        assertTrue(xml.contains("<store xmlns='urn:xmpp:hints'/>"), xml);
        assertFalse(xml.contains("<body>"), xml);
    }
}
