package org.bridgeappliance.adapter.xmpp.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cap every map keyed by remote input uses (issue 9 item 8). */
class LruTest {
    @Test
    void theLeastRecentlyUsedEntryGoesFirstAndIsReported() {
        Lru<String, Integer> lru = new Lru<>(2);
        lru.put("a", 1);
        lru.put("b", 2);
        lru.get("a");
        List<Map.Entry<String, Integer>> evicted = lru.put("c", 3);
        assertEquals(List.of(Map.entry("b", 2)), evicted);
        assertNull(lru.get("b"));
        assertEquals(2, lru.size());
    }

    @Test
    void entriesInUseAreNeverEvictedAndThenNothingNewIsCreated() {
        Lru<String, StringBuilder> lru = new Lru<>(2, sb -> sb.length() == 0);
        lru.getOrCreate("busy1", k -> new StringBuilder("x"));
        lru.getOrCreate("busy2", k -> new StringBuilder("y"));
        assertTrue(lru.getOrCreate("new", k -> new StringBuilder()).isEmpty());
        lru.get("busy1").setLength(0);
        assertTrue(lru.getOrCreate("new", k -> new StringBuilder()).isPresent());
        assertNull(lru.get("busy1"), "the idle one made room");
    }
}
