package org.bridgeappliance.adapter.sip.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Inbound MESSAGE bodies: RFC 3428 text/plain, RFC 3862 CPIM, RFC 5438 IMDN, RFC 3994 is-composing. */
class Rfc3428MessageTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plainTextWithoutCharsetIsUtf8() {
        assertEquals(new InboundBody.Text("héllo ✓", Optional.empty()), SipInboundConverter.decode("text/plain", utf8("héllo ✓")));
        assertEquals(new InboundBody.Text("héllo ✓", Optional.empty()), SipInboundConverter.decode(null, utf8("héllo ✓")));
    }

    @Test
    void latin1WhenDeclared() {
        byte[] latin1 = "héllo".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(new InboundBody.Text("héllo", Optional.empty()),
                SipInboundConverter.decode("Text/Plain; charset=\"ISO-8859-1\"", latin1));
    }

    @Test
    void invalidUtf8AndControlCharactersNeverPassThrough() {
        byte[] bad = {'a', (byte) 0xC3, 'b', 0, 'c', 0x1b, '\n', 'd'};
        assertEquals(new InboundBody.Text("a\uFFFDbc\nd", Optional.empty()), SipInboundConverter.decode("text/plain", bad));
    }

    @Test
    void unknownCharsetIsInvalid() {
        assertInstanceOf(InboundBody.Invalid.class, SipInboundConverter.decode("text/plain;charset=klingon", utf8("x")));
    }

    @Test
    void htmlIsUnsupported() {
        assertEquals(new InboundBody.Unsupported("text/html"), SipInboundConverter.decode("text/html", utf8("<b>x</b>")));
    }

    @Test
    void cpimIsUnwrappedKeepingTheImdnMessageId() {
        String cpim = "From: <sip:erin@sip.test>\r\nTo: <sip:bob*xmpp.test@xmpp.bridge.sip.test>\r\n"
                + "NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: 34jk324j\r\n"
                + "DateTime: 2006-04-04T12:16:49-05:00\r\nimdn.Disposition-Notification: positive-delivery, display\r\n"
                + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nHello ✓ World";
        assertEquals(new InboundBody.Text("Hello ✓ World", Optional.of("34jk324j"), Optional.of(
                new InboundBody.DeliveryRequest("34jk324j", Optional.of("2006-04-04T12:16:49-05:00")))),
                SipInboundConverter.decode("message/cpim", utf8(cpim)));
        // no positive-delivery asked for (display only, or nothing), or no message id to name: no request
        assertEquals(new InboundBody.Text("Hello ✓ World", Optional.of("34jk324j")), SipInboundConverter.decode(
                "message/cpim", utf8(cpim.replace("positive-delivery, ", ""))));
        assertEquals(new InboundBody.Text("Hello ✓ World", Optional.empty()), SipInboundConverter.decode(
                "message/cpim", utf8(cpim.replace("imdn.Message-ID: 34jk324j\r\n", ""))));
        assertEquals(Optional.of(new InboundBody.DeliveryRequest("34jk324j", Optional.empty())),
                ((InboundBody.Text) SipInboundConverter.decode("message/cpim", utf8(cpim
                        .replace("DateTime: 2006-04-04T12:16:49-05:00\r\n", "")
                        .replace("positive-delivery, display", "display,Positive-Delivery")))).deliveryNotification());
    }

    @Test
    void cpimWithoutBlankLinesOrNestedIsInvalid() {
        assertInstanceOf(InboundBody.Invalid.class, SipInboundConverter.decode("message/cpim", utf8("From: x\r\n")));
        String nested = "From: x\r\n\r\nContent-Type: message/cpim\r\n\r\nFrom: y\r\n\r\nContent-Type: text/plain\r\n\r\nz";
        assertInstanceOf(InboundBody.Invalid.class, SipInboundConverter.decode("message/cpim", utf8(nested)));
    }

    @Test
    void imdnDisplayedAndDelivered() {
        String displayed = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">"
                + "<message-id>abc123</message-id><datetime>2024-01-01T00:00:00Z</datetime>"
                + "<display-notification><status><displayed/></status></display-notification></imdn>";
        assertEquals(new InboundBody.Disposition("abc123", true), SipInboundConverter.decode("message/imdn+xml", utf8(displayed)));
        String delivered = displayed.replace("display-notification", "delivery-notification").replace("displayed", "delivered");
        assertEquals(new InboundBody.Disposition("abc123", false), SipInboundConverter.decode("message/imdn+xml", utf8(delivered)));
    }

    @Test
    void xmlWithADoctypeIsRefused() {
        String laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>"
                + "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>&lol2;</message-id></imdn>";
        assertInstanceOf(InboundBody.Invalid.class, SipInboundConverter.decode("message/imdn+xml", utf8(laughs)));
    }

    @Test
    void isComposing() {
        String active = "<?xml version=\"1.0\"?><isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\">"
                + "<state>active</state><contenttype>text/plain</contenttype><refresh>60</refresh></isComposing>";
        assertEquals(new InboundBody.Composing(true), SipInboundConverter.decode("application/im-iscomposing+xml", utf8(active)));
        assertEquals(new InboundBody.Composing(false), SipInboundConverter.decode("application/im-iscomposing+xml",
                utf8(active.replace("active", "idle"))));
    }
}
