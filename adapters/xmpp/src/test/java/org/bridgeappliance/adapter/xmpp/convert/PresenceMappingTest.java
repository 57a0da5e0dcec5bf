package org.bridgeappliance.adapter.xmpp.convert;

import static org.bridgeappliance.adapter.xmpp.convert.Stanzas.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.bridgeappliance.core.model.Presence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The presence table of DESIGN.md, XMPP side. */
class PresenceMappingTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "<presence from='a@xmpp.test/r' to='b@matrix.xmpp.test'/>|AVAILABLE",
        "<presence from='a@xmpp.test/r' to='b@matrix.xmpp.test'><show>chat</show></presence>|AVAILABLE",
        "<presence from='a@xmpp.test/r' to='b@matrix.xmpp.test'><show>away</show></presence>|AWAY",
        "<presence from='a@xmpp.test/r' to='b@matrix.xmpp.test'><show>xa</show></presence>|EXTENDED_AWAY",
        "<presence from='a@xmpp.test/r' to='b@matrix.xmpp.test'><show>dnd</show></presence>|DO_NOT_DISTURB",
        "<presence from='a@xmpp.test/r' to='b@matrix.xmpp.test' type='unavailable'/>|OFFLINE",
    })
    void inbound(String xml, Presence expected) {
        assertEquals(expected, XmppInboundConverter.presence(parse(xml)));
    }

    @ParameterizedTest
    @CsvSource({"AVAILABLE,available", "AWAY,away", "EXTENDED_AWAY,xa", "DO_NOT_DISTURB,dnd", "ON_THE_PHONE,away"})
    void outbound(Presence presence, org.jivesoftware.smack.packet.Presence.Mode mode) {
        assertEquals(mode, XmppOutboundConverter.show(presence));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"ON_THE_PHONE||On the phone", "ON_THE_PHONE|busy|busy", "AWAY||"})
    void statusText(Presence presence, String note, String status) {
        assertEquals(Optional.ofNullable(status), XmppOutboundConverter.status(presence, Optional.ofNullable(note)));
    }
}
