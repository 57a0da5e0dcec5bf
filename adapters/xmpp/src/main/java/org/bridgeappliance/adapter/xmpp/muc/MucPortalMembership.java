package org.bridgeappliance.adapter.xmpp.muc;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.port.PortalMembership;

/**
 * Whether the bridge is in a MUC portal, for the admin UI's per-mapping health: true when one of the bridge's own
 * occupants of the room (its listener or a puppet) has joined, false while none has (joining, kicked, the stream
 * down), empty for rooms that are not MUC portals of this adapter (1:1 pairs, gateway rooms) or before the start.
 * Answers from {@link MucPortals}' own state; never asks the server.
 */
public final class MucPortalMembership implements PortalMembership {
    private final Supplier<MucPortals> mucs;

    public MucPortalMembership(Supplier<MucPortals> mucs) {
        this.mucs = mucs;
    }

    @Override
    public Optional<Boolean> bridgeJoined(RemoteRoomId room) {
        MucPortals portals = mucs.get();
        if (portals == null) {
            return Optional.empty();
        }
        List<String> joined = portals.occupants().get(room.value());
        return joined == null ? Optional.empty() : Optional.of(!joined.isEmpty());
    }
}
