package org.bridgeappliance.adapter.xmpp.errors;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection;
import org.bridgeappliance.adapter.xmpp.component.StreamElement;
import org.bridgeappliance.core.port.EventIngress;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** RFC 6120 §8.3 error replies. */
class StanzaErrorsTest {
    @ParameterizedTest
    @EnumSource(EventIngress.Acceptance.class)
    void onlyRefusalsBecomeErrors(EventIngress.Acceptance a) {
        boolean refusal = a == EventIngress.Acceptance.NOT_BRIDGED || a == EventIngress.Acceptance.UNKNOWN_REFERENCE;
        assertEquals(refusal, StanzaErrors.forAcceptance(a).isPresent());
        StanzaErrors.forAcceptance(a).ifPresent(e -> assertEquals(StanzaError.Condition.item_not_found, e.getCondition()));
    }

    @Test
    void replySwapsAddressesKeepsTheIdAndEchoesTheBody() throws Exception {
        Message m = StanzaBuilder.buildMessage("m1").from("alice@xmpp.test/pc").to("bob%m@matrix.xmpp.test")
                .ofType(Message.Type.chat).setBody("hi").build();
        String xml = StanzaErrors.replyTo(m, StanzaErrors.unavailable()).orElseThrow()
                .toXML(ComponentConnection.OUTBOUND_ENVIRONMENT).toString();
        assertTrue(xml.contains("to='alice@xmpp.test/pc'") && xml.contains("from='bob%m@matrix.xmpp.test'")
                && xml.contains("id='m1'") && xml.contains("type='error'") && xml.contains("<body>hi</body>")
                && xml.contains("<resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>")
                && xml.contains("type='wait'"), xml);
    }

    @Test
    void neverAnErrorToAnError() throws Exception {
        Message error = StanzaBuilder.buildMessage("e").from("a@xmpp.test").to("b@matrix.xmpp.test")
                .ofType(Message.Type.error).build();
        assertEquals(Optional.empty(), StanzaErrors.replyTo(error, StanzaErrors.unavailable()));
        assertEquals(Optional.empty(), StanzaErrors.replyToUnparseable(
                new StreamElement.StanzaHeader("message", "a@xmpp.test", "b@matrix.xmpp.test", "x", "error"),
                StanzaErrors.unavailable()));
    }

    @Test
    void unparseableStanzasAreAnsweredFromTheirHeaderWhenItsAddressesAreValid() {
        String xml = StanzaErrors.replyToUnparseable(new StreamElement.StanzaHeader("iq", "a@xmpp.test/r",
                "matrix.xmpp.test", "q'1", "set"), StanzaErrors.error(StanzaError.Condition.bad_request, "no"))
                .orElseThrow();
        assertTrue(xml.startsWith("<iq type='error' id='q&apos;1' from='matrix.xmpp.test' to='a@xmpp.test/r'>"), xml);
        assertTrue(xml.contains("<bad-request"), xml);
        assertEquals(Optional.empty(), StanzaErrors.replyToUnparseable(new StreamElement.StanzaHeader("message",
                "x y@xmpp.test", "b@matrix.xmpp.test", "1", null), StanzaErrors.unavailable()));
    }
}
