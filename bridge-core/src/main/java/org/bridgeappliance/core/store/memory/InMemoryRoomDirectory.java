package org.bridgeappliance.core.store.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.RoomDirectory;
import org.bridgeappliance.core.store.StoreConflictException;

/** In-memory {@link RoomDirectory}: a portal belongs to at most one room. Writes are serialised; reads too (cheap). */
public final class InMemoryRoomDirectory implements RoomDirectory {
    private final Map<RoomId, BridgedRoom> rooms = new LinkedHashMap<>();
    private final Map<Portal, RoomId> byPortal = new HashMap<>();

    @Override
    public synchronized Optional<BridgedRoom> find(RoomId id) {
        return Optional.ofNullable(rooms.get(Objects.requireNonNull(id, "id")));
    }

    @Override
    public synchronized Optional<BridgedRoom> findByPortal(Portal portal) {
        RoomId id = byPortal.get(Objects.requireNonNull(portal, "portal"));
        return id == null ? Optional.empty() : Optional.ofNullable(rooms.get(id));
    }

    @Override
    public synchronized List<BridgedRoom> all() {
        List<BridgedRoom> list = new ArrayList<>(rooms.values());
        list.sort(Comparator.comparing(BridgedRoom::name).thenComparing(r -> r.id().value()));
        return list;
    }

    @Override
    public synchronized BridgedRoom create(String name, List<Portal> portals, boolean enabled) {
        BridgedRoom room = new BridgedRoom(RoomId.of(UUID.randomUUID().toString()), name, portals, enabled);
        checkPortalsFree(room);
        put(room);
        return room;
    }

    @Override
    public synchronized BridgedRoom update(BridgedRoom room) {
        Objects.requireNonNull(room, "room");
        BridgedRoom old = rooms.get(room.id());
        if (old == null) {
            throw new NoSuchElementException("no room " + room.id());
        }
        checkPortalsFree(room);
        old.portals().forEach(byPortal::remove);
        put(room);
        return room;
    }

    @Override
    public synchronized boolean delete(RoomId id) {
        BridgedRoom old = rooms.remove(Objects.requireNonNull(id, "id"));
        if (old == null) {
            return false;
        }
        old.portals().forEach(byPortal::remove);
        return true;
    }

    private void checkPortalsFree(BridgedRoom room) {
        for (Portal portal : room.portals()) {
            RoomId owner = byPortal.get(portal);
            if (owner != null && !owner.equals(room.id())) {
                throw new StoreConflictException("portal " + portal + " already belongs to room " + owner);
            }
        }
    }

    private void put(BridgedRoom room) {
        rooms.put(room.id(), room);
        room.portals().forEach(p -> byPortal.put(p, room.id()));
    }
}
