package org.bridgeappliance.adapter.sip.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One NOTIFY in flight, the newest state waiting (RFC 6665 §4.2.2 rate control). */
class NotifyQueueTest {
    @Test
    void threeOffersDuringOneNotifyBecomeOneFollowUpWithTheNewest() {
        NotifyQueue<String> q = new NotifyQueue<>();
        assertEquals(Optional.of("a"), q.offer("a"));
        assertTrue(q.offer("b").isEmpty());
        assertTrue(q.offer("c").isEmpty());
        assertTrue(q.offer("d").isEmpty());
        assertEquals(Optional.of("d"), q.onAnswered());
        assertTrue(q.inFlight());
        assertTrue(q.onAnswered().isEmpty());
        assertFalse(q.inFlight());
        assertEquals(2, q.coalesced());
        assertEquals(Optional.of("e"), q.offer("e"));
    }
}
