package org.bridgeappliance.core.router;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.port.Addressing;
import org.bridgeappliance.core.port.PresenceDirectory;

/**
 * The router's {@link PresenceDirectory}: the latest accepted presence per person, in a bounded map ordered by
 * use (a lookup or a change makes a person recent; beyond {@code capacity} the least recent is forgotten), so
 * a flood of distinct senders costs at most {@code capacity} entries. People are keyed by their canonical id
 * ({@link Addressing#canonical}), so two spellings of one JID are one person. A change with an older timestamp
 * than the one kept (an event that overtook another) does not replace it. One lock; every call is a map
 * operation.
 */
final class LastPresence implements PresenceDirectory {
    /** People remembered at most; about 300 bytes each. */
    static final int DEFAULT_CAPACITY = 10_000;

    private final Addressing addressing;
    private final Map<UserRef, PresenceEvent> latest;

    LastPresence(Addressing addressing, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.addressing = addressing;
        this.latest = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UserRef, PresenceEvent> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Called by the router for every presence it accepts (not for echoes). */
    void record(PresenceEvent event) {
        UserRef person = addressing.canonical(event.sender());
        synchronized (latest) {
            PresenceEvent kept = latest.get(person);
            if (kept == null || !event.timestamp().isBefore(kept.timestamp())) {
                latest.put(person, event);
            }
        }
    }

    @Override
    public Optional<PresenceEvent> lastKnown(UserRef person) {
        if (person == null) {
            return Optional.empty();
        }
        UserRef key = addressing.canonical(person);
        synchronized (latest) {
            return Optional.ofNullable(latest.get(key));
        }
    }

    int size() {
        synchronized (latest) {
            return latest.size();
        }
    }
}
