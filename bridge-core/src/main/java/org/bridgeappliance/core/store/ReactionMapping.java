package org.bridgeappliance.core.store;

import java.util.Objects;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;

/**
 * One reaction by one person to one message, as it exists in one portal.
 *
 * @param remoteId the reaction's own id on that network, when it has one (a Matrix m.annotation
 *                 event id, needed to redact it); for networks without reaction ids, the id of
 *                 the message that carried it
 */
public record ReactionMapping(BridgeMessageId messageId, Portal portal, UserRef reactor, String key,
                              RemoteMessageId remoteId) {
    public ReactionMapping {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(reactor, "reactor");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(remoteId, "remoteId");
    }
}
