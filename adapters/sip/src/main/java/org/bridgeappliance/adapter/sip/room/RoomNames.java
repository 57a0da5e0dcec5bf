package org.bridgeappliance.adapter.sip.room;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bridgeappliance.adapter.sip.convert.SipOutboundConverter;

/**
 * The {@code [Name]} a room's phones see for each author, short ({@link SipOutboundConverter#MAX_NAME_CHARS}) and
 * unique within the room: the first author to use a short name keeps it, another author whose name shortens to the
 * same text gets {@code "Name #2"}, {@code "Name #3"} (cut so the suffix fits). The same author always gets the
 * same name while the appliance runs; after a restart names are handed out again in order of first use.
 *
 * <p>Bounded: at most {@code maxRooms} rooms (least recently used dropped) of at most {@code maxNames} authors each
 * (beyond that, names are only shortened, not made unique). Thread-safe.
 */
public final class RoomNames {
    private final int maxNames;
    /** room slug → its names. */
    private final Map<String, Room> rooms;

    /** The names handed out in one room: shown name → author id, author id → (shortened wanted name, shown name). */
    private static final class Room {
        final Map<String, String> byName = new HashMap<>();
        final Map<String, Map.Entry<String, String>> byAuthor = new HashMap<>();
    }

    public RoomNames(int maxRooms, int maxNames) {
        this.maxNames = maxNames;
        this.rooms = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Room> eldest) {
                return size() > maxRooms;
            }
        };
    }

    /**
     * The name {@code author} is shown with in room {@code slug}.
     *
     * @param author  a stable id of the author ({@code network:user})
     * @param wanted  their display name (or a short id)
     */
    public synchronized String shown(String slug, String author, String wanted) {
        Room room = rooms.computeIfAbsent(slug, k -> new Room());
        String base = SipOutboundConverter.shortName(wanted);
        Map.Entry<String, String> known = room.byAuthor.get(author);
        if (known != null && known.getKey().equals(base)) {
            return known.getValue();
        }
        if (known == null && room.byAuthor.size() >= maxNames) {
            return base;
        }
        if (known != null) {
            room.byName.remove(known.getValue()); // the author changed their display name
        }
        String name = base;
        for (int n = 2; room.byName.containsKey(name); n++) {
            String suffix = " #" + n;
            name = cut(base, SipOutboundConverter.MAX_NAME_CHARS - suffix.length()) + suffix;
        }
        room.byName.put(name, author);
        room.byAuthor.put(author, Map.entry(base, name));
        return name;
    }

    private static String cut(String s, int codePoints) {
        if (codePoints <= 0) {
            return "";
        }
        return s.codePointCount(0, s.length()) <= codePoints ? s : s.substring(0, s.offsetByCodePoints(0, codePoints));
    }
}
