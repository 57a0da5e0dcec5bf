package org.bridgeappliance.core.store;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;

/** Reactions per portal, unique per (message, portal, reactor, key). */
public interface ReactionStore {
    /** Records a reaction; replaces the remote id if the same reaction was recorded before. */
    void record(ReactionMapping reaction);

    Optional<ReactionMapping> find(BridgeMessageId messageId, Portal portal, UserRef reactor, String key);

    /** Every reaction {@code reactor} has on the message in that portal (XEP-0444 sends the whole set). */
    List<ReactionMapping> byReactor(BridgeMessageId messageId, Portal portal, UserRef reactor);

    /**
     * The reaction recorded in {@code portal} under its own remote id: a Matrix adapter turns the
     * redaction of an m.annotation event into a reaction removal with it (Matrix strips a redacted
     * reaction's content, so the redaction alone does not say what was removed), also after a restart.
     * If several reactions share the id (networks without own reaction ids record the carrying
     * message's id), which one is returned is unspecified. May block on storage I/O.
     *
     * <p>Added after the first release of this interface; the default only exists so that test
     * doubles written before it keep compiling: every real store overrides it.
     *
     * @throws UnsupportedOperationException from the default implementation
     */
    default Optional<ReactionMapping> findByRemoteId(Portal portal, RemoteMessageId remoteId) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot look reactions up by remote id");
    }

    /** Returns false if there was nothing to remove. */
    boolean remove(BridgeMessageId messageId, Portal portal, UserRef reactor, String key);
}
