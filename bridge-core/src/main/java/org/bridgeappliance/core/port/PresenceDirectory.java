package org.bridgeappliance.core.port;

import java.util.Optional;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.PresenceEvent;

/**
 * The core's memory of people's current presence, for adapters that must answer at once rather than wait
 * for the next change: a SIP SUBSCRIBE to a puppet's presence needs an immediate NOTIFY with the current
 * state (RFC 6665 §4.2.1, RFC 3856 §6.6.2), an XMPP presence probe an answer (RFC 6121 §4.3). Handed to
 * adapters in {@link AdapterContext#presence()}.
 *
 * <p>Fed by the presence events the router accepts from every adapter ({@link EventIngress#submit}); echoes
 * of the bridge's own puppets are not recorded. Kept in memory only, bounded (the least recently changed or
 * asked-for people are forgotten first), and empty after a restart until people's networks report them
 * again (XMPP servers send current presence on join, Matrix on the next sync).
 *
 * <p>Threading: thread-safe, never blocks, cheap (a map lookup).
 */
@FunctionalInterface
public interface PresenceDirectory {

    /** A directory that knows nobody (contexts built without a router). */
    PresenceDirectory NONE = person -> Optional.empty();

    /**
     * The latest presence of {@code person} (a user of the network named in it, as it appears in the
     * events: compare ids in their network's canonical form, see {@link Addressing#canonical}) that the
     * core accepted; empty if none since the start or if it was forgotten. An adapter answering for a
     * person it has nothing on says "offline" in its protocol's terms.
     */
    Optional<PresenceEvent> lastKnown(UserRef person);
}
