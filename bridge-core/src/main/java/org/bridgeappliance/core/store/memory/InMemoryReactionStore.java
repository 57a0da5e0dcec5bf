package org.bridgeappliance.core.store.memory;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.ReactionMapping;
import org.bridgeappliance.core.store.ReactionStore;

/** In-memory {@link ReactionStore}, unique per (message, portal, reactor, key). */
public final class InMemoryReactionStore implements ReactionStore {
    private record Key(BridgeMessageId messageId, Portal portal, UserRef reactor, String key) {
    }

    private final Map<Key, ReactionMapping> reactions = new ConcurrentHashMap<>();

    @Override
    public void record(ReactionMapping reaction) {
        Objects.requireNonNull(reaction, "reaction");
        reactions.put(new Key(reaction.messageId(), reaction.portal(), reaction.reactor(), reaction.key()), reaction);
    }

    @Override
    public Optional<ReactionMapping> find(BridgeMessageId messageId, Portal portal, UserRef reactor, String key) {
        return Optional.ofNullable(reactions.get(new Key(messageId, portal, reactor, key)));
    }

    @Override
    public List<ReactionMapping> byReactor(BridgeMessageId messageId, Portal portal, UserRef reactor) {
        return reactions.values().stream()
                .filter(r -> r.messageId().equals(messageId) && r.portal().equals(portal) && r.reactor().equals(reactor))
                .sorted(java.util.Comparator.comparing(ReactionMapping::key))
                .toList();
    }

    @Override
    public Optional<ReactionMapping> findByRemoteId(Portal portal, RemoteMessageId remoteId) {
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(remoteId, "remoteId");
        return reactions.values().stream()
                .filter(r -> r.portal().equals(portal) && r.remoteId().equals(remoteId))
                .findFirst();
    }

    @Override
    public boolean remove(BridgeMessageId messageId, Portal portal, UserRef reactor, String key) {
        return reactions.remove(new Key(messageId, portal, reactor, key)) != null;
    }
}
