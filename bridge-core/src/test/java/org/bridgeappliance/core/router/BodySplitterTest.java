package org.bridgeappliance.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BodySplitterTest {

    @Test
    void aFittingTextIsOnePart() {
        assertEquals(List.of("hello"), BodySplitter.split("hello", 64));
        assertEquals(List.of("é".repeat(32)), BodySplitter.split("é".repeat(32), 64), "exactly 64 bytes");
    }

    @Test
    void prefersWhitespaceAndDropsIt() {
        assertEquals(List.of("aaaa bbbb", "cccc"), BodySplitter.split("aaaa bbbb cccc", 10));
        assertEquals(List.of("line one", "line two"), BodySplitter.split("line one\nline two", 12));
    }

    @Test
    void cutsHardWhenNoWhitespaceIsNearTheEnd() {
        assertEquals(List.of("abcdefgh", "ij"), BodySplitter.split("abcdefghij", 8));
        // the only space is in the first half of the window: a hard cut keeps parts from becoming tiny
        assertEquals(List.of("a bcdefgh", "ijklmnop"), BodySplitter.split("a bcdefghijklmnop", 9));
    }

    @Test
    void neverCutsInsideACodePoint() {
        // é = 2 bytes, 😀 = 4 bytes (a surrogate pair in Java)
        List<String> parts = BodySplitter.split("😀😀😀", 6);
        assertEquals(List.of("😀", "😀", "😀"), parts);
        List<String> mixed = BodySplitter.split("aé😀aé😀", 5);
        assertEquals(List.of("aé", "😀a", "é", "😀"), mixed);
    }

    @Test
    void randomTextsKeepEveryPartValidAndWithinTheLimit() {
        Random random = new Random(42);
        int[] pool = {'a', 'b', ' ', '\n', 'é', 'ß', '中', 0x1F600, 0x1F44D, '\u00A0'};
        for (int round = 0; round < 500; round++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(400);
            for (int i = 0; i < n; i++) {
                b.appendCodePoint(pool[random.nextInt(pool.length)]);
            }
            String text = b.toString();
            int max = 4 + random.nextInt(100);
            List<String> parts = BodySplitter.split(text, max);
            StringBuilder joined = new StringBuilder();
            for (String part : parts) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                assertTrue(bytes.length <= max, "part of " + bytes.length + " bytes > " + max);
                assertEquals(part, new String(bytes, StandardCharsets.UTF_8), "part is valid UTF-16 (no lone surrogate)");
                assertEquals(bytes.length, BodySplitter.utf8Length(part));
                joined.append(part);
            }
            // Only whitespace at the cuts may be dropped; nothing else is lost or reordered.
            assertEquals(text.replaceAll("\\s", ""), joined.toString().replaceAll("\\s", ""));
            if (BodySplitter.utf8Length(text) > max) {
                assertTrue(parts.size() >= 2);
            }
        }
    }

    @Test
    void rejectsALimitBelowOneCodePoint() {
        assertThrows(IllegalArgumentException.class, () -> BodySplitter.split("abc", 3));
    }
}
