package org.bridgeappliance.core.port;

import java.util.Objects;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.model.RoomEvent;

/**
 * An event that the router gave up delivering to one portal, handed back to the origin adapter
 * so that the author learns of it.
 *
 * @param event    the event as it arrived from the origin (its meta names the author and remote id)
 * @param target   the portal that could not be reached
 * @param reason   a short human-readable reason
 * @param attempts how many tries were made
 */
public record DeliveryFailure(RoomEvent event, Portal target, String reason, int attempts) {
    public DeliveryFailure {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(reason, "reason");
    }
}
