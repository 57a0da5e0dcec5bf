package org.bridgeappliance.adapter.sip.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The awaited delivery's key as it is kept in the queue's key column, and the TTL as the author reads it. */
class OfflineQueueKeyTest {
    private static final OfflineQueue.Awaited DM = new OfflineQueue.Awaited(BridgeMessageId.of("m-1"),
            Portal.of("sip", "dm:sip:erin@sip.test sip:carol*matrix.test@matrix.bridge.sip.test"));

    @Test
    void theKeyRoundTripsWithSpacesInTheRoomAndMarksTheLastPart() {
        assertEquals(Optional.of(Map.entry(DM, true)), OfflineQueue.decode(OfflineQueue.encode(DM, true)));
        assertEquals(Optional.of(Map.entry(DM, false)), OfflineQueue.decode(OfflineQueue.encode(DM, false)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"matrix:@carol:matrix.test", "bridge", "2 m sip r", "1 m", "outcome 1 m sip r"})
    void damagedKeysAreNoKey(String key) {
        assertEquals(Optional.empty(), OfflineQueue.decode(key));
    }

    @Test
    void aKeyTooLongForTheColumnIsNotAwaited() {
        assertTrue(OfflineQueue.canAwait(DM));
        assertFalse(OfflineQueue.canAwait(new OfflineQueue.Awaited(BridgeMessageId.of("m".repeat(100)),
                Portal.of("sip", "dm:sip:" + "e".repeat(990) + "@sip.test x"))));
    }

    @ParameterizedTest
    @CsvSource({"PT24H, 24 h", "PT1H, 1 h", "PT90M, 90 min", "PT45S, 45 s", "PT1M30S, 90 s"})
    void ttlInWords(Duration ttl, String words) {
        assertEquals(words, OfflineQueue.human(ttl));
    }
}
