package org.bridgeappliance.core.router;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a text into parts of at most {@code maxBytes} UTF-8 bytes each. Cuts only between code points
 * (never inside a surrogate pair or a multi-byte sequence) and prefers the last whitespace in the second
 * half of a part, which is then dropped (it becomes the boundary between two messages). Pure.
 */
public final class BodySplitter {
    private BodySplitter() {
    }

    /** The UTF-8 length of {@code text} without allocating its bytes. */
    public static int utf8Length(CharSequence text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3; // BMP char, or a lone surrogate (encoded as '?' by the JDK, counted generously)
            }
        }
        return bytes;
    }

    /**
     * @return {@code text} itself as the only part when it fits; otherwise two or more non-empty parts, each at
     *         most {@code maxBytes} UTF-8 bytes, which joined by the dropped whitespace give {@code text} back
     */
    public static List<String> split(String text, int maxBytes) {
        if (maxBytes < 4) {
            throw new IllegalArgumentException("maxBytes must be at least 4 (one code point), was " + maxBytes);
        }
        if (utf8Length(text) <= maxBytes) {
            return List.of(text);
        }
        List<String> parts = new ArrayList<>();
        int start = 0;
        int n = text.length();
        while (start < n) {
            int bytes = 0;
            int i = start;
            int lastSpace = -1;
            int lastSpaceBytes = 0;
            while (i < n) {
                int cp = text.codePointAt(i);
                int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (bytes + len > maxBytes) {
                    break;
                }
                if (Character.isWhitespace(cp) && i > start) {
                    lastSpace = i;
                    lastSpaceBytes = bytes;
                }
                bytes += len;
                i += Character.charCount(cp);
            }
            if (i >= n) {
                parts.add(text.substring(start));
                break;
            }
            if (lastSpace > start && lastSpaceBytes >= maxBytes / 2) {
                parts.add(text.substring(start, lastSpace));
                start = lastSpace + Character.charCount(text.codePointAt(lastSpace));
            } else {
                parts.add(text.substring(start, i));
                start = i;
            }
        }
        return List.copyOf(parts);
    }
}
