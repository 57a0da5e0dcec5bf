package org.bridgeappliance.core.store.memory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.store.LateOutcomeStore;

/** {@link LateOutcomeStore} in memory (tests, benchmarks, and store sets built without one); one lock. */
public final class InMemoryLateOutcomeStore implements LateOutcomeStore {
    private record Key(BridgeMessageId messageId, Portal target) {
    }

    /** One key's state: exactly one of pending, failure, early is set. */
    private record Entry(Pending pending, Failure failure, Outcome early, Instant since) {
    }

    private final Map<Key, Entry> entries = new HashMap<>();

    @Override
    public synchronized Optional<Outcome> await(Pending pending) {
        Key key = new Key(pending.messageId(), pending.target());
        Entry entry = entries.get(key);
        if (entry == null) {
            entries.put(key, new Entry(pending, null, null, pending.since()));
            return Optional.empty();
        }
        if (entry.early() == null) {
            return Optional.empty(); // already pending or failed
        }
        if (entry.early().delivered()) {
            entries.remove(key);
        } else {
            entries.put(key, new Entry(null, new Failure(pending, entry.early().reason(), entry.since()), null,
                    entry.since()));
        }
        return Optional.of(entry.early());
    }

    @Override
    public synchronized Optional<Failure> settle(BridgeMessageId messageId, Portal target, Outcome outcome,
                                                 Instant at) {
        Key key = new Key(messageId, target);
        Entry entry = entries.get(key);
        if (entry == null) {
            entries.put(key, new Entry(null, null, outcome, at));
            return Optional.empty();
        }
        if (entry.pending() == null) {
            return Optional.empty();
        }
        if (outcome.delivered()) {
            entries.remove(key);
            return Optional.empty();
        }
        Failure failure = new Failure(entry.pending(), outcome.reason(), at);
        entries.put(key, new Entry(null, failure, null, entry.since()));
        return Optional.of(failure);
    }

    @Override
    public synchronized List<Failure> unreported() {
        List<Failure> list = new ArrayList<>();
        entries.values().stream().filter(e -> e.failure() != null).forEach(e -> list.add(e.failure()));
        list.sort(Comparator.comparing(Failure::at));
        return list;
    }

    @Override
    public synchronized void reported(BridgeMessageId messageId, Portal target) {
        entries.computeIfPresent(new Key(messageId, target), (k, e) -> e.failure() != null ? null : e);
    }

    @Override
    public synchronized int forgetBefore(Instant cutoff) {
        int before = entries.size();
        entries.values().removeIf(e -> e.failure() == null && e.since().isBefore(cutoff));
        return before - entries.size();
    }
}
