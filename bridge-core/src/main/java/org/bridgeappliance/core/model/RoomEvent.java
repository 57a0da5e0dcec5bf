package org.bridgeappliance.core.model;

import java.time.Instant;
import java.util.Optional;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;

/** An event that happens in one room; it is fanned out to every other portal of the bridged room. */
public sealed interface RoomEvent extends BridgeEvent
        permits MessageEvent, EditEvent, RetractionEvent, ReactionEvent, TypingEvent, ReadMarkerEvent,
        MembershipEvent, RoomInfoEvent {

    /** Who, where, when and under which id on the origin network. */
    EventMeta meta();

    /** The portal (network + remote room) the event came from. */
    default Portal origin() {
        return meta().origin();
    }

    @Override
    default UserRef sender() {
        return meta().sender();
    }

    @Override
    default Instant timestamp() {
        return meta().timestamp();
    }

    /** The event's id on its origin network, when it has one (used for de-duplication and the id map). */
    default Optional<RemoteMessageId> remoteId() {
        return meta().remoteId();
    }
}
