package org.bridgeappliance.adapter.xmpp.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.jivesoftware.smackx.sid.element.OriginIdElement;
import org.junit.jupiter.api.Test;

class ComponentStreamReaderTest {
    static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
            + "xmlns:stream='http://etherx.jabber.org/streams' id='s1d' from='matrix.xmpp.test'>";

    static ComponentStreamReader reader(String body, int max) throws Exception {
        ComponentStreamReader r = new ComponentStreamReader(
                new ByteArrayInputStream((HEADER + body).getBytes(StandardCharsets.UTF_8)), max);
        assertEquals("s1d", r.readHeader().id());
        return r;
    }

    static ComponentStreamReader reader(String body) throws Exception {
        return reader(body, 64 * 1024);
    }

    @Test
    void parsesStanzasWithSmackProvidersInTheComponentNamespace() throws Exception {
        ComponentStreamReader r = reader("<handshake/>"
                + "<message from='alice@xmpp.test/phone' to='bob%matrix.test@matrix.xmpp.test' type='chat' id='m1'>"
                + "<body>fish &amp; chips &lt;3</body><origin-id xmlns='urn:xmpp:sid:0' id='o1'/>"
                + "<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'/></message>\n  "
                + "<presence from='room@conference.xmpp.test/nick' to='x@matrix.xmpp.test/bridge'><show>away</show></presence>"
                + "<iq type='get' id='p1' from='xmpp.test' to='matrix.xmpp.test'><ping xmlns='urn:xmpp:ping'/></iq>"
                + "</stream:stream>");
        assertInstanceOf(StreamElement.HandshakeAccepted.class, r.next());
        Message m = (Message) ((StreamElement.StanzaReceived) r.next()).stanza();
        assertEquals("fish & chips <3", m.getBody());
        assertEquals("o1", OriginIdElement.getOriginId(m).getId());
        assertNotNull(m.getExtension(DelayInformation.class));
        assertEquals(Message.Type.chat, m.getType());
        Presence p = (Presence) ((StreamElement.StanzaReceived) r.next()).stanza();
        assertEquals(Presence.Mode.away, p.getMode());
        IQ iq = (IQ) ((StreamElement.StanzaReceived) r.next()).stanza();
        assertInstanceOf(Ping.class, iq);
        assertInstanceOf(StreamElement.StreamClosed.class, r.next());
    }

    @Test
    void badJidIsUnparseableAndTheStreamGoesOn() throws Exception {
        ComponentStreamReader r = reader("<message from='x y@xmpp.test' to='x@matrix.xmpp.test' id='bad1'><body>x</body></message>"
                + "<message from='alice@xmpp.test' to='x@matrix.xmpp.test'><body>ok</body></message>");
        StreamElement.Unparseable u = assertInstanceOf(StreamElement.Unparseable.class, r.next());
        assertEquals("bad1", u.header().id());
        assertEquals("message", u.header().kind());
        Message m = (Message) ((StreamElement.StanzaReceived) r.next()).stanza();
        assertEquals("ok", m.getBody());
    }

    @Test
    void doctypeIsRefused() throws Exception {
        String doc = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>]><stream:stream xmlns='jabber:component:accept' "
                + "xmlns:stream='http://etherx.jabber.org/streams' id='x'>";
        StreamException e = assertThrows(StreamException.class, () -> new ComponentStreamReader(
                new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8)), 4096).readHeader());
        assertEquals("restricted-xml", e.condition());
    }

    @Test
    void entityReferenceIsRefused() throws Exception {
        ComponentStreamReader r = reader("<message from='a@xmpp.test' to='x@matrix.xmpp.test'><body>&xxe;</body></message>");
        StreamException e = assertThrows(StreamException.class, r::next);
        assertTrue(e.condition().equals("restricted-xml") || e.condition().equals("not-well-formed"), e.condition());
    }

    @Test
    void oversizedStanzaEndsTheStreamWithPolicyViolation() throws Exception {
        String big = "x".repeat(200_000);
        ComponentStreamReader r = reader("<message from='a@xmpp.test' to='x@matrix.xmpp.test'><body>" + big
                + "</body></message>", 8 * 1024);
        StreamException e = assertThrows(StreamException.class, r::next);
        assertEquals("policy-violation", e.condition());
    }

    @Test
    void notWellFormed() throws Exception {
        ComponentStreamReader r = reader("<message><body>x</bod></message>");
        StreamException e = assertThrows(StreamException.class, r::next);
        assertEquals("not-well-formed", e.condition());
    }

    @Test
    void streamErrorIsReported() throws Exception {
        ComponentStreamReader r = reader("<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>already connected</text></stream:error>");
        StreamElement.StreamErrorReceived err = assertInstanceOf(StreamElement.StreamErrorReceived.class, r.next());
        assertEquals("conflict", err.condition());
        assertEquals("already connected", err.text().orElseThrow());
    }

    /** {@code levels} nested elements (about 7 bytes each) inside a message with id {@code id}. */
    static String nested(String id, int levels) {
        return "<message from='mallory@xmpp.test/r' to='x@matrix.xmpp.test' id='" + id + "'>"
                + "<x xmlns='urn:example:nest'>".repeat(1) + "<a>".repeat(levels) + "</a>".repeat(levels) + "</x>"
                + "</message>";
    }

    /** Issue 9 item 1: 4,000 nested elements overflowed the stack in Smack's StandardExtensionElementProvider. */
    @Test
    void deeplyNestedStanzaIsRefusedAndTheStreamGoesOn() throws Exception {
        ComponentStreamReader r = reader(nested("deep1", 4000) + nested("deep2", 20_000)
                + "<message from='alice@xmpp.test' to='x@matrix.xmpp.test'><body>still here</body></message>"
                + "</stream:stream>", 1 << 20);
        StreamElement.Unparseable first = assertInstanceOf(StreamElement.Unparseable.class, r.next());
        assertEquals("deep1", first.header().id());
        assertTrue(first.reason().contains("nested deeper than"), first.reason());
        assertEquals("deep2", assertInstanceOf(StreamElement.Unparseable.class, r.next()).header().id());
        Message m = (Message) assertInstanceOf(StreamElement.StanzaReceived.class, r.next()).stanza();
        assertEquals("still here", m.getBody());
        assertInstanceOf(StreamElement.StreamClosed.class, r.next());
    }

    @Test
    void nestingUpToTheLimitIsParsed() throws Exception {
        // The stanza's own child is level 1: <x> plus 31 <a> levels is exactly the limit.
        ComponentStreamReader r = reader(nested("ok", ComponentStreamReader.MAX_NESTING - 1)
                + nested("over", ComponentStreamReader.MAX_NESTING));
        Message m = (Message) assertInstanceOf(StreamElement.StanzaReceived.class, r.next()).stanza();
        assertEquals("ok", m.getStanzaId());
        assertEquals("over", assertInstanceOf(StreamElement.Unparseable.class, r.next()).header().id());
    }

    @Test
    void textOfElementsIsStillReadAfterACutOffStanza() throws Exception {
        ComponentStreamReader r = reader(nested("deep", 500)
                + "<message from='alice@xmpp.test' to='x@matrix.xmpp.test' id='n'><body>a &amp; b</body>"
                + "<subject>s</subject></message>");
        assertInstanceOf(StreamElement.Unparseable.class, r.next());
        Message m = (Message) assertInstanceOf(StreamElement.StanzaReceived.class, r.next()).stanza();
        assertEquals("a & b", m.getBody());
        assertEquals("s", m.getSubject());
    }
}
