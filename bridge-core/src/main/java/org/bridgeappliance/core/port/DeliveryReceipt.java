package org.bridgeappliance.core.port;

import java.util.Arrays;
import java.util.List;
import org.bridgeappliance.core.id.RemoteMessageId;

/**
 * What a target network called what it received. Empty for events that create nothing
 * addressable (typing, read markers, presence).
 *
 * @param remoteIds      the ids the network gave the delivered message (recorded in the message map)
 * @param awaitingOutcome true when the network only accepted the message for later delivery (a queuing
 *                        proxy's 202, a phone that is offline) and the adapter will report the final outcome
 *                        through {@link DeliveryOutcomes}; see there
 */
public record DeliveryReceipt(List<RemoteMessageId> remoteIds, boolean awaitingOutcome) {
    public static final DeliveryReceipt NONE = new DeliveryReceipt(List.of());

    public DeliveryReceipt {
        remoteIds = List.copyOf(remoteIds);
    }

    /** A final receipt: the network has the message. */
    public DeliveryReceipt(List<RemoteMessageId> remoteIds) {
        this(remoteIds, false);
    }

    public static DeliveryReceipt of(String... ids) {
        return new DeliveryReceipt(Arrays.stream(ids).map(RemoteMessageId::new).toList());
    }

    /**
     * Accepted for later delivery: the adapter promises one {@link DeliveryOutcomes#delivered} or
     * {@link DeliveryOutcomes#failed} for this delivery's message id and target.
     */
    public static DeliveryReceipt awaitingOutcome(String... ids) {
        return new DeliveryReceipt(Arrays.stream(ids).map(RemoteMessageId::new).toList(), true);
    }
}
