package org.bridgeappliance.core.store;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;

/**
 * Room mappings. Written by admins (through the admin API) and by adapters that create portals on
 * demand (a Matrix alias query, an XMPP user joining a gateway MUC). Reads are on the router's hot
 * path: implementations may cache, but must see their own writes immediately.
 */
public interface RoomDirectory {
    Optional<BridgedRoom> find(RoomId id);

    Optional<BridgedRoom> findByPortal(Portal portal);

    List<BridgedRoom> all();

    /**
     * Creates a room with a fresh id.
     *
     * @throws StoreConflictException if one of the portals already belongs to another room
     */
    BridgedRoom create(String name, List<Portal> portals, boolean enabled);

    /**
     * Replaces name, portals and enabled flag of an existing room.
     *
     * @throws StoreConflictException if a portal belongs to another room
     * @throws java.util.NoSuchElementException if the room does not exist
     */
    BridgedRoom update(BridgedRoom room);

    /** Deletes the room and its portals; message history stays. Returns false if it did not exist. */
    boolean delete(RoomId id);
}
