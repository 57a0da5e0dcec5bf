package org.bridgeappliance.core.store.memory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.IdentityLink;
import org.bridgeappliance.core.store.IdentityLinkStore;
import org.bridgeappliance.core.store.StoreConflictException;

/** In-memory {@link IdentityLinkStore}: an account takes part in at most one link per other network. */
public final class InMemoryIdentityLinkStore implements IdentityLinkStore {
    private final Clock clock;
    private final List<IdentityLink> links = new ArrayList<>();
    private long nextId = 1;

    public InMemoryIdentityLinkStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized IdentityLink link(UserRef first, UserRef second) {
        IdentityLink link = new IdentityLink(nextId, first, second, clock.instant());
        if (linkedAccount(first, second.network()).isPresent() || linkedAccount(second, first.network()).isPresent()) {
            throw new StoreConflictException("an account is already linked on the other network: " + first + ", "
                    + second);
        }
        nextId++;
        links.add(link);
        return link;
    }

    @Override
    public synchronized boolean unlink(long id) {
        return links.removeIf(l -> l.id() == id);
    }

    @Override
    public synchronized Optional<UserRef> linkedAccount(UserRef person, Network network) {
        for (IdentityLink l : links) {
            if (l.first().equals(person) && l.second().network().equals(network)) {
                return Optional.of(l.second());
            }
            if (l.second().equals(person) && l.first().network().equals(network)) {
                return Optional.of(l.first());
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized List<IdentityLink> all() {
        return List.copyOf(links);
    }
}
