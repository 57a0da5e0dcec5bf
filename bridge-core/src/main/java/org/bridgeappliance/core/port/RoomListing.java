package org.bridgeappliance.core.port;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.bridgeappliance.core.id.RemoteRoomId;

/**
 * Optional capability of a {@link ProtocolAdapter} that can list rooms of its own network for an admin to pick
 * when mapping rooms (the admin UI's room pickers): XMPP asks its MUC service (XEP-0030 disco#items), Matrix
 * its homeserver's public room directory and the rooms its bot has joined. Adapters without it get addresses
 * typed by the admin.
 *
 * <p>Threading: called on the admin API's blocking worker threads, concurrently. Blocks on network I/O, so
 * implementations bound the wait (a few seconds) and the work (at most {@code limit} rooms).
 */
public interface RoomListing {

    /** Longest answer an admin should be shown at once. */
    int MAX_LIMIT = 200;

    /**
     * Rooms whose address or name contains {@code query} (case-insensitive; empty matches every room), at most
     * {@code limit} of them, in the network's own order.
     *
     * @throws RoomListingException when the network cannot be asked now (not connected, timeout, refused); its
     *         message is shown to the admin, so it never contains secrets
     */
    List<ListedRoom> listRooms(String query, int limit);

    /**
     * One room as its network describes it.
     *
     * @param room    the address a portal on this network uses (a MUC JID, a Matrix room id)
     * @param name    its human name, when the network has one; text from a remote party, display it as text
     * @param topic   its topic, when known; remote text as well
     * @param members how many members the network reports, when it does
     */
    record ListedRoom(RemoteRoomId room, Optional<String> name, Optional<String> topic, OptionalInt members) {
        public ListedRoom {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(members, "members");
        }

        /** True when {@code needle} (already lower-cased) occurs in the address or the name. */
        public boolean matches(String needle) {
            return needle.isEmpty() || room.value().toLowerCase(java.util.Locale.ROOT).contains(needle)
                    || name.map(n -> n.toLowerCase(java.util.Locale.ROOT).contains(needle)).orElse(false);
        }
    }

    /** The network could not be asked for its rooms; the message is for the admin. */
    final class RoomListingException extends RuntimeException {
        public RoomListingException(String message) {
            super(message);
        }
    }
}
