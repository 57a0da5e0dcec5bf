package org.bridgeappliance.mapping;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>The cache is a snapshot of every room (room mappings number in the thousands at most), tagged
 * with the write generation it was loaded at. Each write of this instance bumps the generation
 * after its commit, so a snapshot that might predate a write is never used again, and a snapshot
 * loaded while a write was in flight is not installed. This assumes this instance is the only
 * writer of the two tables, which {@link MappingDatabase} ensures by handing out one instance.
 */
final class JdbcRoomDirectory implements RoomDirectory {
    static final int MAX_NAME_LENGTH = 255;
    static final int MAX_NETWORK_LENGTH = 64;

    private record Snapshot(long generation, Map<RoomId, BridgedRoom> byId, Map<Portal, RoomId> byPortal) {
    }

    private final Jdbc jdbc;
    private final Clock clock;
    private final AtomicLong generation = new AtomicLong();
    private volatile Snapshot snapshot;

    JdbcRoomDirectory(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public Optional<BridgedRoom> find(RoomId id) {
        Objects.requireNonNull(id, "id");
        return Optional.ofNullable(snapshot().byId().get(id));
    }

    @Override
    public Optional<BridgedRoom> findByPortal(Portal portal) {
        Objects.requireNonNull(portal, "portal");
        Snapshot s = snapshot();
        RoomId id = s.byPortal().get(portal);
        return id == null ? Optional.empty() : Optional.ofNullable(s.byId().get(id));
    }

    /** By name, then id (the order of the in-memory directory, and of the admin UI's list). */
    @Override
    public List<BridgedRoom> all() {
        return snapshot().byId().values().stream()
                .sorted(Comparator.comparing(BridgedRoom::name).thenComparing(r -> r.id().value()))
                .toList();
    }

    @Override
    public BridgedRoom create(String name, List<Portal> portals, boolean enabled) {
        BridgedRoom room = new BridgedRoom(RoomId.of(UUID.randomUUID().toString()), name, portals, enabled);
        validate(room);
        try {
            jdbc.inTransaction("create room", c -> {
                Jdbc.update(c, "INSERT INTO bridged_room (id, name, enabled, created_at) VALUES (?, ?, ?, ?)", s -> {
                    s.setString(1, room.id().value());
                    s.setString(2, room.name());
                    s.setBoolean(3, room.enabled());
                    Jdbc.setInstant(s, 4, clock.instant());
                });
                insertPortals(c, room);
                return null;
            });
        } catch (StoreConflictException e) {
            throw new StoreConflictException("a portal of " + portals + " already belongs to another room", e);
        } finally {
            generation.incrementAndGet();
        }
        return room;
    }

    @Override
    public BridgedRoom update(BridgedRoom room) {
        validate(room);
        try {
            jdbc.inTransaction("update room", c -> {
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
            });
        } catch (StoreConflictException e) {
            throw new StoreConflictException("a portal of " + room.portals() + " already belongs to another room", e);
        } finally {
            generation.incrementAndGet();
        }
        return room;
    }

    @Override
    public boolean delete(RoomId id) {
        Objects.requireNonNull(id, "id");
        try {
            return jdbc.inTransaction("delete room", c -> {
                // Portals explicitly as well as by ON DELETE CASCADE: the cascade is not needed for correctness.
                Jdbc.update(c, "DELETE FROM portal WHERE room_id = ?", s -> s.setString(1, id.value()));
                return Jdbc.update(c, "DELETE FROM bridged_room WHERE id = ?", s -> s.setString(1, id.value())) > 0;
            });
        } finally {
            generation.incrementAndGet();
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

    private Snapshot snapshot() {
        long current = generation.get();
        Snapshot s = snapshot;
        if (s != null && s.generation() == current) {
            return s;
        }
        Snapshot loaded = load(current);
        // Installed only if no write of ours finished meanwhile; either way this caller gets data at
        // least as new as the state when it called.
        if (generation.get() == current) {
            snapshot = loaded;
        }
        return loaded;
    }

    private Snapshot load(long atGeneration) {
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
        Map<RoomId, BridgedRoom> byId = new LinkedHashMap<>();
        Map<Portal, RoomId> byPortal = new HashMap<>();
        grouped.forEach((id, roomRows) -> {
            Row first = roomRows.get(0);
            List<Portal> portals = roomRows.stream().map(Row::portal).filter(Objects::nonNull).toList();
            BridgedRoom room = new BridgedRoom(RoomId.of(id), first.name(), portals, first.enabled());
            byId.put(room.id(), room);
            portals.forEach(p -> byPortal.put(p, room.id()));
        });
        return new Snapshot(atGeneration, Collections.unmodifiableMap(byId), Map.copyOf(byPortal));
    }
}
