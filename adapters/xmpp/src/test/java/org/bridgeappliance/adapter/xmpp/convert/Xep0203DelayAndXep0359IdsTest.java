package org.bridgeappliance.adapter.xmpp.convert;

import static org.bridgeappliance.adapter.xmpp.convert.Stanzas.*;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Profile;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.Test;

class Xep0203DelayAndXep0359IdsTest {
    @Test
    void delayStampIsTheTimestamp() {
        MessageEvent m = (MessageEvent) only(in("<message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat' id='d'>"
                + "<body>old</body><delay xmlns='urn:xmpp:delay' stamp='2025-12-31T23:00:00Z'/></message>", DM, "d"));
        assertEquals(Instant.parse("2025-12-31T23:00:00Z"), m.timestamp());
    }

    @Test
    void stampFromTheFutureIsNotBelieved() {
        MessageEvent m = (MessageEvent) only(in("<message from='a@xmpp.test' to='b@matrix.xmpp.test' type='chat' id='d'>"
                + "<body>x</body><delay xmlns='urn:xmpp:delay' stamp='2099-01-01T00:00:00Z'/></message>", DM, "d"));
        assertEquals(NOW, m.timestamp());
    }

    @Test
    void lateDeliveryCarriesADelayAndEveryMessageAnOriginId() {
        var meta = new EventMeta(Portal.of("matrix", "!r:m"), BOB, Profile.EMPTY, Optional.of(RemoteMessageId.of("$1")),
                NOW.minusSeconds(3600));
        String late = out(new MessageEvent(meta, MessageKind.TEXT, MessageBody.plain("x"), List.of(), Optional.empty()),
                Message.Type.chat, null, null);
        assertTrue(late.contains("<delay xmlns='urn:xmpp:delay' stamp='2026-01-02T02:04:05"), late);
        assertTrue(late.contains("<origin-id xmlns='urn:xmpp:sid:0' id='out-1'/>"), late);
        assertTrue(late.contains("id='out-1'"), late);
        String fresh = out(new MessageEvent(bobMeta(), MessageKind.TEXT, MessageBody.plain("x"), List.of(),
                Optional.empty()), Message.Type.chat, null, null);
        assertFalse(fresh.contains("urn:xmpp:delay"), fresh);
    }
}
