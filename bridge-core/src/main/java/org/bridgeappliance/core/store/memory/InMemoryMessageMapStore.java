package org.bridgeappliance.core.store.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.MessageMapStore;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.StoreConflictException;

/**
 * In-memory {@link MessageMapStore} with the database's uniqueness rule: one mapping per
 * (network, remote room, author, remote id, part). {@link #record} is atomic (all or nothing) and skips rows
 * already recorded for the same message.
 */
public final class InMemoryMessageMapStore implements MessageMapStore {
    private record Key(Portal portal, UserRef author, RemoteMessageId remoteId, int part) {
    }

    private record PortalId(Portal portal, RemoteMessageId remoteId) {
    }

    private final Map<Key, BridgeMessageId> keys = new HashMap<>();
    private final Map<PortalId, List<MessageMapping>> byPortalId = new HashMap<>();
    private final Map<BridgeMessageId, List<MessageMapping>> byMessage = new HashMap<>();

    @Override
    public synchronized void record(List<MessageMapping> mappings) {
        Objects.requireNonNull(mappings, "mappings");
        Map<Key, MessageMapping> batch = new LinkedHashMap<>();
        for (MessageMapping m : mappings) {
            Key key = new Key(m.portal(), m.author(), m.remoteId(), m.part());
            BridgeMessageId known = keys.get(key);
            MessageMapping twin = batch.get(key);
            if ((known != null && !known.equals(m.messageId()))
                    || (twin != null && !twin.messageId().equals(m.messageId()))) {
                throw new StoreConflictException("message id " + m.remoteId() + " part " + m.part() + " by "
                        + m.author() + " already recorded in " + m.portal());
            }
            if (known == null && twin == null) {
                batch.put(key, m); // the same row for the same message again is a no-op (see the port)
            }
        }
        batch.forEach((key, m) -> {
            keys.put(key, m.messageId());
            byPortalId.computeIfAbsent(new PortalId(m.portal(), m.remoteId()), k -> new ArrayList<>(1)).add(m);
            byMessage.computeIfAbsent(m.messageId(), k -> new ArrayList<>(3)).add(m);
        });
    }

    @Override
    public synchronized Optional<BridgeMessageId> findByAuthor(Portal portal, UserRef author, RemoteMessageId remoteId) {
        List<MessageMapping> list = byPortalId.get(new PortalId(portal, remoteId));
        if (list == null) {
            return Optional.empty();
        }
        return list.stream().filter(m -> m.author().equals(author)).map(MessageMapping::messageId).findFirst();
    }

    @Override
    public synchronized List<MessageMapping> findInPortal(Portal portal, RemoteMessageId remoteId) {
        List<MessageMapping> list = byPortalId.get(new PortalId(portal, remoteId));
        return list == null ? List.of() : List.copyOf(list);
    }

    @Override
    public synchronized List<MessageMapping> copies(BridgeMessageId messageId) {
        List<MessageMapping> list = byMessage.get(messageId);
        if (list == null) {
            return List.of();
        }
        List<MessageMapping> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparing((MessageMapping m) -> m.portal().toString())
                .thenComparingInt(MessageMapping::part));
        return List.copyOf(sorted);
    }

    @Override
    public synchronized List<RoomId> roomsWithCopiesBy(UserRef author, Network network, int limit) {
        return byMessage.values().stream().flatMap(List::stream)
                .filter(m -> !m.origin() && m.author().equals(author) && m.portal().network().equals(network))
                .map(MessageMapping::room).distinct().limit(limit).toList();
    }
}
