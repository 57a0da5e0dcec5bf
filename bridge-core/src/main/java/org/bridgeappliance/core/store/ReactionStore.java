package org.bridgeappliance.core.store;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.UserRef;

/** Reactions per portal, unique per (message, portal, reactor, key). */
public interface ReactionStore {
    /** Records a reaction; replaces the remote id if the same reaction was recorded before. */
    void record(ReactionMapping reaction);

    Optional<ReactionMapping> find(BridgeMessageId messageId, Portal portal, UserRef reactor, String key);

    /** Every reaction {@code reactor} has on the message in that portal (XEP-0444 sends the whole set). */
    List<ReactionMapping> byReactor(BridgeMessageId messageId, Portal portal, UserRef reactor);

    /** Returns false if there was nothing to remove. */
    boolean remove(BridgeMessageId messageId, Portal portal, UserRef reactor, String key);
}
