package org.bridgeappliance.core.router;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.RoomId;

/**
 * The first line and author of recent messages per room, for the reply quote fallback
 * ({@link FallbackPolicy.Quote}). The message map stores ids, not texts (the bridge keeps no message
 * content at rest), so this is memory only: after a restart, or for a reply to an older message, the
 * fallback sends the reply without a quote.
 *
 * <p>Bounded: at most {@link #MESSAGES_PER_ROOM} messages per room, {@link #ROOMS} rooms (least recently
 * used evicted) and {@link #MAX_LINE_CHARS} characters per line. Thread-safe.
 */
final class RecentTextCache {
    static final int ROOMS = 1024;
    static final int MESSAGES_PER_ROOM = 128;
    static final int MAX_LINE_CHARS = 200;

    private final Map<RoomId, Map<BridgeMessageId, FallbackPolicy.Quote>> rooms = lru(ROOMS);

    private static <K, V> Map<K, V> lru(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void put(RoomId room, BridgeMessageId message, String author, String text) {
        rooms.computeIfAbsent(room, r -> lru(MESSAGES_PER_ROOM))
                .put(message, new FallbackPolicy.Quote(author, firstLine(text)));
    }

    /** Replaces the text of a message still cached (after an edit); does nothing otherwise. */
    synchronized void update(RoomId room, BridgeMessageId message, String text) {
        Map<BridgeMessageId, FallbackPolicy.Quote> messages = rooms.get(room);
        if (messages != null) {
            messages.computeIfPresent(message, (k, q) -> new FallbackPolicy.Quote(q.authorDisplay(), firstLine(text)));
        }
    }

    synchronized Optional<FallbackPolicy.Quote> get(RoomId room, BridgeMessageId message) {
        Map<BridgeMessageId, FallbackPolicy.Quote> messages = rooms.get(room);
        return messages == null ? Optional.empty() : Optional.ofNullable(messages.get(message));
    }

    static String firstLine(String text) {
        String stripped = text.strip();
        int nl = stripped.indexOf('\n');
        String line = nl < 0 ? stripped : stripped.substring(0, nl).stripTrailing();
        if (line.length() > MAX_LINE_CHARS) {
            int cut = MAX_LINE_CHARS;
            if (Character.isHighSurrogate(line.charAt(cut - 1))) {
                cut--;
            }
            line = line.substring(0, cut) + "…";
        }
        return line;
    }
}
