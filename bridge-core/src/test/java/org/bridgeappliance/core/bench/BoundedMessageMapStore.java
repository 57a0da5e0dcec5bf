package org.bridgeappliance.core.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.MessageMapStore;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.StoreConflictException;

/**
 * A message map that keeps only the most recent {@code capacity} canonical messages, for the benchmark's
 * steady-state variant: the production store (JDBC) keeps nothing on the heap, while the unbounded in-memory
 * store makes a long benchmark measure the garbage collector copying an ever-growing map. Same uniqueness
 * rule and lookups as {@link org.bridgeappliance.core.store.memory.InMemoryMessageMapStore}.
 */
final class BoundedMessageMapStore implements MessageMapStore {
    private record PortalId(Portal portal, RemoteMessageId remoteId) {
    }

    private final int capacity;
    private final LinkedHashMap<BridgeMessageId, List<MessageMapping>> byMessage = new LinkedHashMap<>();
    private final Map<PortalId, List<MessageMapping>> byPortalId = new HashMap<>();

    BoundedMessageMapStore(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public synchronized void record(List<MessageMapping> mappings) {
        for (MessageMapping m : mappings) {
            List<MessageMapping> same = byPortalId.get(new PortalId(m.portal(), m.remoteId()));
            if (same != null) {
                for (MessageMapping o : same) {
                    if (o.author().equals(m.author()) && o.part() == m.part()) {
                        throw new StoreConflictException("already recorded: " + m.remoteId());
                    }
                }
            }
        }
        for (MessageMapping m : mappings) {
            byMessage.computeIfAbsent(m.messageId(), k -> new ArrayList<>(3)).add(m);
            byPortalId.computeIfAbsent(new PortalId(m.portal(), m.remoteId()), k -> new ArrayList<>(1)).add(m);
        }
        while (byMessage.size() > capacity) {
            Iterator<List<MessageMapping>> eldest = byMessage.values().iterator();
            for (MessageMapping m : eldest.next()) {
                PortalId key = new PortalId(m.portal(), m.remoteId());
                List<MessageMapping> list = byPortalId.get(key);
                if (list != null && list.remove(m) && list.isEmpty()) {
                    byPortalId.remove(key);
                }
            }
            eldest.remove();
        }
    }

    @Override
    public synchronized Optional<BridgeMessageId> findByAuthor(Portal portal, UserRef author, RemoteMessageId remoteId) {
        List<MessageMapping> list = byPortalId.get(new PortalId(portal, remoteId));
        if (list != null) {
            for (MessageMapping m : list) {
                if (m.author().equals(author)) {
                    return Optional.of(m.messageId());
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized List<MessageMapping> findInPortal(Portal portal, RemoteMessageId remoteId) {
        List<MessageMapping> list = byPortalId.get(new PortalId(portal, remoteId));
        return list == null ? List.of() : List.copyOf(list);
    }

    @Override
    public synchronized List<MessageMapping> copies(BridgeMessageId messageId) {
        List<MessageMapping> list = byMessage.get(messageId);
        return list == null ? List.of() : List.copyOf(list);
    }
}
