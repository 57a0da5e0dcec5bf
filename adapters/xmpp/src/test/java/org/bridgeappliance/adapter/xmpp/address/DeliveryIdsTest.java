package org.bridgeappliance.adapter.xmpp.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.Delivery;
import org.junit.jupiter.api.Test;

/** XEP-0359: a delivery retried (or replayed after a crash) carries the same stanza id and origin-id. */
class DeliveryIdsTest {
    static final Portal MATRIX = Portal.of("matrix", "!r:matrix.test");
    static final Portal MUC = Portal.of("xmpp", "room@conference.xmpp.test");
    static final Portal DM = Portal.of("xmpp", "dm:alice@xmpp.test bob%matrix.test@matrix.xmpp.test");
    static final EventMeta META = new EventMeta(MATRIX, UserRef.of("matrix", "@bob:matrix.test"), Profile.named("Bob"),
            Optional.of(RemoteMessageId.of("$e1")), Instant.parse("2026-01-01T00:00:00Z"));

    static MessageEvent text(String body) {
        return new MessageEvent(META, MessageKind.TEXT, MessageBody.plain(body), List.of(), Optional.empty());
    }

    static Delivery delivery(String messageId, Portal target, RoomEvent event, int attempt) {
        return new Delivery(BridgeMessageId.of(messageId), RoomId.of("r"), target, event, Optional.empty(),
                Optional.empty(), attempt);
    }

    @Test
    void retriesKeepTheirId() {
        String first = DeliveryIds.of(delivery("m1", MUC, text("hello"), 1));
        assertEquals(first, DeliveryIds.of(delivery("m1", MUC, text("hello"), 3)), "another attempt");
        // A replay after a crash rebuilds equal (not identical) objects from the outbox.
        assertEquals(first, DeliveryIds.of(delivery(new String("m1"), MUC, text(new String("hello")), 1)));
        assertTrue(first.matches("bx-[0-9a-f]{32}"), first);
    }

    @Test
    void messagesPortalsAndPartsDiffer() {
        String id = DeliveryIds.of(delivery("m1", MUC, text("hello"), 1));
        assertNotEquals(id, DeliveryIds.of(delivery("m2", MUC, text("hello"), 1)), "another message");
        assertNotEquals(id, DeliveryIds.of(delivery("m1", DM, text("hello"), 1)), "another portal");
        assertNotEquals(id, DeliveryIds.of(delivery("m1", MUC, text("world"), 1)), "the next part of a split message");
        assertNotEquals(id, DeliveryIds.of(delivery("m1", MUC, new ReactionEvent(META, RemoteMessageId.of("x"), "👍",
                true), 1)), "another kind of step");
    }
}
