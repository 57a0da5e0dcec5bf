package org.bridgeappliance.core.port;

import java.util.List;
import org.bridgeappliance.core.id.RemoteMessageId;

/**
 * What a target network called what it received. Empty for events that create nothing
 * addressable (typing, read markers, presence).
 */
public record DeliveryReceipt(List<RemoteMessageId> remoteIds) {
    public static final DeliveryReceipt NONE = new DeliveryReceipt(List.of());

    public DeliveryReceipt {
        remoteIds = List.copyOf(remoteIds);
    }

    public static DeliveryReceipt of(String... ids) {
        return new DeliveryReceipt(java.util.Arrays.stream(ids).map(RemoteMessageId::new).toList());
    }
}
