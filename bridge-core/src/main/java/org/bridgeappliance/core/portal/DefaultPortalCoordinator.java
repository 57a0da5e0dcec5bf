package org.bridgeappliance.core.portal;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.PortalCoordinator;
import org.bridgeappliance.core.port.PortalProvisioning;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.RoomDirectory;
import org.bridgeappliance.core.store.StoreConflictException;

/**
 * Creates room mappings on demand by asking the target network's adapter (when it offers
 * {@link PortalProvisioning}) for its side of the conversation, then recording both portals as one
 * bridged room. Mapping creation is serialised so that two adapters racing to open the same
 * conversation end with one bridged room, not two.
 */
public final class DefaultPortalCoordinator implements PortalCoordinator {
    private static final System.Logger LOG = System.getLogger(DefaultPortalCoordinator.class.getName());

    private final RoomDirectory rooms;
    private final Map<Network, ProtocolAdapter> adapters;
    private final Object createLock = new Object();

    public DefaultPortalCoordinator(RoomDirectory rooms, Collection<? extends ProtocolAdapter> adapters) {
        this.rooms = rooms;
        this.adapters = adapters.stream().collect(Collectors.toUnmodifiableMap(ProtocolAdapter::network,
                Function.identity()));
    }

    @Override
    public Optional<BridgedRoom> ensureDirectChat(Portal origin, UserRef initiator, UserRef recipient) {
        if (!origin.network().equals(initiator.network()) || origin.network().equals(recipient.network())) {
            throw new IllegalArgumentException("a direct chat joins the initiator's portal to another network");
        }
        return ensure(origin, recipient.network(), "Chat " + initiator.user() + " / " + recipient.user(),
                provisioning -> Optional.of(provisioning.ensureDirectChat(initiator, recipient.user())));
    }

    @Override
    public Optional<BridgedRoom> ensureGatewayRoom(Portal origin, Network target, String address) {
        if (origin.network().equals(target)) {
            throw new IllegalArgumentException("a gateway room joins two different networks");
        }
        return ensure(origin, target, address, provisioning -> provisioning.resolveRoom(address));
    }

    private Optional<BridgedRoom> ensure(Portal origin, Network target, String name,
                                         Function<PortalProvisioning, Optional<RemoteRoomId>> provision) {
        Optional<BridgedRoom> existing = rooms.findByPortal(origin).filter(r -> r.portalOn(target).isPresent());
        if (existing.isPresent()) {
            return existing;
        }
        ProtocolAdapter adapter = adapters.get(target);
        if (!(adapter instanceof PortalProvisioning provisioning)) {
            LOG.log(Level.DEBUG, "no provisioning on network {0}; cannot open {1}", target, name);
            return Optional.empty();
        }
        // The remote call happens outside the lock: it may take seconds, and provisioning is
        // idempotent on the adapters' side (they find the room they created before).
        Optional<RemoteRoomId> remoteRoom = provision.apply(provisioning);
        if (remoteRoom.isEmpty()) {
            return Optional.empty();
        }
        Portal targetPortal = new Portal(target, remoteRoom.get());
        synchronized (createLock) {
            return Optional.of(retryOnConflict(() -> link(origin, targetPortal, name)));
        }
    }

    /** Records that {@code origin} and {@code target} are one conversation, merging into whichever room exists. */
    private BridgedRoom link(Portal origin, Portal target, String name) {
        Optional<BridgedRoom> byOrigin = rooms.findByPortal(origin);
        Optional<BridgedRoom> byTarget = rooms.findByPortal(target);
        if (byOrigin.isPresent() && byTarget.isPresent()) {
            // Both sides are mapped: if differently, the admin's mapping wins; we do not merge rooms.
            return byOrigin.get();
        }
        if (byOrigin.isPresent()) {
            return addPortal(byOrigin.get(), target);
        }
        if (byTarget.isPresent()) {
            return addPortal(byTarget.get(), origin);
        }
        return rooms.create(name, List.of(origin, target), true);
    }

    private BridgedRoom addPortal(BridgedRoom room, Portal portal) {
        if (room.portalOn(portal.network()).isPresent()) {
            // The room already has a different portal on that network (an admin mapping); keep it.
            return room;
        }
        List<Portal> portals = new ArrayList<>(room.portals());
        portals.add(portal);
        return rooms.update(new BridgedRoom(room.id(), room.name(), portals, room.enabled()));
    }

    private static BridgedRoom retryOnConflict(Supplier<BridgedRoom> action) {
        try {
            return action.get();
        } catch (StoreConflictException e) {
            // Another appliance process (or an admin) mapped one side meanwhile: read again once.
            return action.get();
        }
    }
}
