package org.bridgeappliance.core.store;

import java.util.Optional;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;

/**
 * Second names of remote messages, kept across restarts: where a network gives a message a
 * canonical id (the one in the {@link MessageMapStore}) and its sender knows it by another, the
 * adapter records the pair so later references by the other id still resolve. The XMPP adapter
 * uses it for MUC messages: the canonical id is the room's stanza-id (XEP-0359), while XEP-0308
 * corrections and XEP-0424 retractions carry the sender's own message id / origin-id.
 *
 * <p>Every alias is scoped by portal AND author: the sender chooses the alias, so a second sender
 * reusing an id must never reach the first sender's message. Re-recording an alias for the same
 * (portal, author) replaces the canonical id (the newest message with that id is the one a
 * correction means).
 *
 * <p>Thread-safe. Implementations may block on a database: callers keep calls off event loops.
 */
public interface MessageAliasStore {

    /**
     * Records that {@code author} calls the message {@code canonical} in {@code portal} also {@code alias}.
     *
     * @throws IllegalArgumentException if a value exceeds the store's size limits
     */
    void alias(Portal portal, UserRef author, RemoteMessageId alias, RemoteMessageId canonical);

    /** The canonical id of the message {@code author} calls {@code alias} in {@code portal}, if recorded. */
    Optional<RemoteMessageId> resolve(Portal portal, UserRef author, RemoteMessageId alias);

    /** A store that keeps nothing: aliases then live only as long as an adapter's own cache. */
    MessageAliasStore NONE = new MessageAliasStore() {
        @Override
        public void alias(Portal portal, UserRef author, RemoteMessageId alias, RemoteMessageId canonical) {
        }

        @Override
        public Optional<RemoteMessageId> resolve(Portal portal, UserRef author, RemoteMessageId alias) {
            return Optional.empty();
        }
    };
}
