package org.bridgeappliance.adapter.matrix.convert;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Matrix sends the whole set of typing users of a room ({@code m.typing}); the canonical model has
 * one start/stop event per person. This keeps the last set per room and returns the differences.
 * Thread-safe. In memory only: after a restart the first update starts everyone afresh, which is
 * harmless (typing is ephemeral and Synapse drops it while the AS is down anyway).
 */
public final class TypingTracker {
    private final Map<String, Set<String>> typingByRoom = new ConcurrentHashMap<>();

    /** Records the room's new typing set; returns user -> true (started) / false (stopped). */
    public Map<String, Boolean> update(String roomId, Set<String> nowTyping) {
        Map<String, Boolean> changes = new LinkedHashMap<>();
        typingByRoom.compute(roomId, (room, before) -> {
            Set<String> previous = before == null ? Set.of() : before;
            nowTyping.stream().sorted().filter(u -> !previous.contains(u)).forEach(u -> changes.put(u, true));
            previous.stream().sorted().filter(u -> !nowTyping.contains(u)).forEach(u -> changes.put(u, false));
            return nowTyping.isEmpty() ? null : new HashSet<>(nowTyping);
        });
        return changes;
    }
}
