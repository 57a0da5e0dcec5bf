package org.bridgeappliance.mapping;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
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
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.RoomDirectory;
import org.bridgeappliance.core.store.StoreConflictException;

/**
 * Room mappings in {@code bridged_room} and {@code portal}, with a read cache.
 *
 * <p>The cache holds every room (mappings number in the thousands, one per 1:1 chat at worst) in
 * two concurrent maps, loaded on first use and then kept up to date by this instance's own writes:
 * a write commits first and then updates the maps, under one lock that also covers the initial
 * load, so no load can install state older than a write. Reads take no lock and no database
 * round trip. A reader racing a write sees the room before or after it, never a room under a
 * portal it does not hold ({@link #findByPortal} checks). A write whose outcome is unknown (an
 * error other than a conflict) marks the cache stale; the next read reloads it.
 *
 * <p>This assumes this instance is the only writer of the two tables, which {@link MappingDatabase}
 * ensures by handing out one instance per database.
 */
final class JdbcRoomDirectory implements RoomDirectory {
    static final int MAX_NAME_LENGTH = 255;
    static final int MAX_NETWORK_LENGTH = 64;

    private final Jdbc jdbc;
    private final Clock clock;
    private final Object writeLock = new Object();
    private final Map<RoomId, BridgedRoom> byId = new ConcurrentHashMap<>();
    private final Map<Portal, RoomId> byPortal = new ConcurrentHashMap<>();
    /** Written only under {@link #writeLock}. */
    private volatile boolean loaded;

    JdbcRoomDirectory(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public Optional<BridgedRoom> find(RoomId id) {
        Objects.requireNonNull(id, "id");
        ensureLoaded();
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public Optional<BridgedRoom> findByPortal(Portal portal) {
        Objects.requireNonNull(portal, "portal");
        ensureLoaded();
        RoomId id = byPortal.get(portal);
        BridgedRoom room = id == null ? null : byId.get(id);
        // Mid-update the portal may still point at a room that no longer holds it.
        return room != null && room.portals().contains(portal) ? Optional.of(room) : Optional.empty();
    }

    /** By name, then id (the order of the in-memory directory, and of the admin UI's list). */
    @Override
    public List<BridgedRoom> all() {
        ensureLoaded();
        return byId.values().stream()
                .sorted(Comparator.comparing(BridgedRoom::name).thenComparing(r -> r.id().value()))
                .toList();
    }

    @Override
    public BridgedRoom create(String name, List<Portal> portals, boolean enabled) {
        BridgedRoom room = new BridgedRoom(RoomId.of(UUID.randomUUID().toString()), name, portals, enabled);
        validate(room);
        synchronized (writeLock) {
            write("create room", c -> {
                Jdbc.update(c, "INSERT INTO bridged_room (id, name, enabled, created_at) VALUES (?, ?, ?, ?)", s -> {
                    s.setString(1, room.id().value());
                    s.setString(2, room.name());
                    s.setBoolean(3, room.enabled());
                    Jdbc.setInstant(s, 4, clock.instant());
                });
                insertPortals(c, room);
                return null;
            }, "a portal of " + portals + " already belongs to another room");
            cachePut(null, room);
        }
        return room;
    }

    @Override
    public BridgedRoom update(BridgedRoom room) {
        validate(room);
        synchronized (writeLock) {
            write("update room", c -> {
                int updated = Jdbc.update(c, "UPDATE bridged_room SET name = ?, enabled = ? WHERE id = ?", s -> {
                    s.setString(1, room.name());
                    s.setBoolean(2, room.enabled());
                    s.setString(3, room.id().value());
                });
                if (updated == 0) {
                    throw new NoSuchElementException("no bridged room " + room.id());
                }
                Jdbc.update(c, "DELETE FROM portal WHERE room_id = ?", s -> s.setString(1, room.id().value()));
                insertPortals(c, room);
                return null;
            }, "a portal of " + room.portals() + " already belongs to another room");
            cachePut(byId.get(room.id()), room);
        }
        return room;
    }

    @Override
    public boolean delete(RoomId id) {
        Objects.requireNonNull(id, "id");
        synchronized (writeLock) {
            boolean deleted = write("delete room", c -> {
                // Portals explicitly as well as by ON DELETE CASCADE: the cascade is not needed for correctness.
                Jdbc.update(c, "DELETE FROM portal WHERE room_id = ?", s -> s.setString(1, id.value()));
                return Jdbc.update(c, "DELETE FROM bridged_room WHERE id = ?", s -> s.setString(1, id.value())) > 0;
            }, null);
            BridgedRoom old = byId.remove(id);
            if (old != null) {
                old.portals().forEach(p -> byPortal.remove(p, id));
            }
            return deleted;
        }
    }

    private static void validate(BridgedRoom room) {
        Objects.requireNonNull(room, "room");
        Jdbc.limit(room.name(), MAX_NAME_LENGTH, "room name");
        for (Portal p : room.portals()) {
            Jdbc.limit(p.network().value(), MAX_NETWORK_LENGTH, "network name");
        }
    }

    private static void insertPortals(Connection c, BridgedRoom room) throws SQLException {
        for (int i = 0; i < room.portals().size(); i++) {
            Portal p = room.portals().get(i);
            int order = i;
            Jdbc.update(c, "INSERT INTO portal (room_id, network, remote_room, portal_order) VALUES (?, ?, ?, ?)", s -> {
                s.setString(1, room.id().value());
                s.setString(2, p.network().value());
                s.setString(3, p.room().value());
                s.setInt(4, order);
            });
        }
    }

    /** Runs a write transaction; conflicts keep the cache, unknown outcomes drop it. Call under the lock. */
    private <T> T write(String what, Jdbc.Work<T> work, String conflictMessage) {
        try {
            return jdbc.inTransaction(what, work);
        } catch (StoreConflictException e) {
            throw conflictMessage == null ? e : new StoreConflictException(conflictMessage, e);
        } catch (NoSuchElementException | IllegalArgumentException e) {
            throw e; // refused before or by the write, rolled back: the cache is still right
        } catch (RuntimeException e) {
            loaded = false; // maps stay as they are for readers already past the check; the next read reloads
            throw e;
        }
    }

    /** Applies a committed create or update to the cache. Call under the lock. */
    private void cachePut(BridgedRoom old, BridgedRoom room) {
        if (!loaded) {
            return; // the next read loads everything, this write included
        }
        byId.put(room.id(), room);
        if (old != null) {
            old.portals().stream().filter(p -> !room.portals().contains(p)).forEach(p -> byPortal.remove(p, room.id()));
        }
        room.portals().forEach(p -> byPortal.put(p, room.id()));
    }

    private void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (writeLock) {
            if (loaded) {
                return;
            }
            Map<RoomId, BridgedRoom> rooms = load();
            Map<Portal, RoomId> portals = new HashMap<>();
            rooms.values().forEach(r -> r.portals().forEach(p -> portals.put(p, r.id())));
            // Replaced entry by entry, never emptied: a reader never sees an existing room missing.
            byId.putAll(rooms);
            byId.keySet().retainAll(rooms.keySet());
            byPortal.putAll(portals);
            byPortal.keySet().retainAll(portals.keySet());
            loaded = true;
        }
    }

    private Map<RoomId, BridgedRoom> load() {
        // One statement, so the rooms and their portals come from one consistent read.
        record Row(String id, String name, boolean enabled, Portal portal) {
        }
        List<Row> rows = jdbc.query("load rooms",
                "SELECT r.id, r.name, r.enabled, p.network, p.remote_room FROM bridged_room r"
                        + " LEFT JOIN portal p ON p.room_id = r.id ORDER BY r.created_at, r.id, p.portal_order",
                s -> { },
                r -> {
                    String network = r.getString("network");
                    Portal portal = network == null ? null
                            : new Portal(Network.of(network), RemoteRoomId.of(r.getString("remote_room")));
                    return new Row(r.getString("id"), r.getString("name"), r.getBoolean("enabled"), portal);
                });
        Map<String, List<Row>> grouped = new LinkedHashMap<>();
        rows.forEach(row -> grouped.computeIfAbsent(row.id(), k -> new ArrayList<>()).add(row));
        Map<RoomId, BridgedRoom> rooms = new HashMap<>();
        grouped.forEach((id, roomRows) -> {
            Row first = roomRows.get(0);
            List<Portal> portals = roomRows.stream().map(Row::portal).filter(Objects::nonNull).toList();
            rooms.put(RoomId.of(id), new BridgedRoom(RoomId.of(id), first.name(), portals, first.enabled()));
        });
        return rooms;
    }
}
