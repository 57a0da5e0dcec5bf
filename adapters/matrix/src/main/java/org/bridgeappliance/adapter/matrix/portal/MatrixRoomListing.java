package org.bridgeappliance.adapter.matrix.portal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.bridgeappliance.adapter.matrix.client.MatrixClient;
import org.bridgeappliance.adapter.matrix.client.MatrixHttpException;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.port.RoomListing.ListedRoom;
import org.bridgeappliance.core.port.RoomListing.RoomListingException;

/**
 * Matrix rooms an admin can pick for a portal: the homeserver's public room directory ({@code POST /publicRooms},
 * searched by the homeserver) and the rooms the bridge bot has joined ({@code GET /joined_rooms}, named from their
 * {@code m.room.name} state), the usual way to bring a private room to the bridge being to invite the bot.
 *
 * <p>Blocking: one directory call, one joined-rooms call and at most {@link #MAX_NAMED} state reads, each bounded
 * by the client's timeouts. Thread-safe (no state).
 */
public final class MatrixRoomListing {
    /** Joined rooms whose names are looked up per call (one state read each). */
    static final int MAX_NAMED = 50;
    private final MatrixClient client;
    private final String botUserId;

    public MatrixRoomListing(MatrixClient client, String botUserId) {
        this.client = client;
        this.botUserId = botUserId;
    }

    public List<ListedRoom> list(String query, int limit) {
        String needle = query.strip().toLowerCase(Locale.ROOT);
        Map<String, ListedRoom> rooms = new LinkedHashMap<>();
        try {
            for (JsonNode r : client.publicRooms(query.strip(), limit)) {
                String id = r.path("room_id").asText("");
                if (id.startsWith("!")) {
                    rooms.putIfAbsent(id, new ListedRoom(RemoteRoomId.of(id), text(r, "name")
                            .or(() -> text(r, "canonical_alias")), text(r, "topic"),
                            r.has("num_joined_members") ? OptionalInt.of(r.path("num_joined_members").asInt())
                                    : OptionalInt.empty()));
                }
            }
            List<String> joined = client.joinedRooms(botUserId);
            int named = 0;
            for (String id : joined) {
                if (rooms.size() >= limit || named >= MAX_NAMED) {
                    break;
                }
                if (rooms.containsKey(id)) {
                    continue;
                }
                named++;
                Optional<String> name = client.state(id, "m.room.name", "", botUserId)
                        .flatMap(c -> text(c, "name"));
                ListedRoom room = new ListedRoom(RemoteRoomId.of(id), name, Optional.empty(), OptionalInt.empty());
                if (room.matches(needle)) {
                    rooms.put(id, room);
                }
            }
        } catch (MatrixHttpException e) {
            throw new RoomListingException("the homeserver could not list rooms: HTTP " + e.status() + " "
                    + e.errcode());
        }
        return new ArrayList<>(rooms.values()).subList(0, Math.min(limit, rooms.size()));
    }

    private static Optional<String> text(JsonNode node, String field) {
        return Optional.ofNullable(node.get(field)).filter(JsonNode::isTextual).map(JsonNode::asText)
                .filter(s -> !s.isBlank());
    }
}
