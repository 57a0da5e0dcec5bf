package org.bridgeappliance.core.store.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.store.Puppet;
import org.bridgeappliance.core.store.PuppetStore;
import org.bridgeappliance.core.store.StoreConflictException;

/** In-memory {@link PuppetStore}, unique per (person, network) and per (network, puppet id). */
public final class InMemoryPuppetStore implements PuppetStore {
    private record PersonKey(UserRef person, Network network) {
    }

    private record PuppetKey(Network network, RemoteUserId puppetId) {
    }

    private final Map<PersonKey, Puppet> byPerson = new HashMap<>();
    private final Map<PuppetKey, Puppet> byPuppetId = new HashMap<>();

    /** @throws StoreConflictException if the puppet id already stands for another person on that network */
    @Override
    public synchronized void save(Puppet puppet) {
        Objects.requireNonNull(puppet, "puppet");
        PuppetKey puppetKey = new PuppetKey(puppet.network(), puppet.puppetId());
        Puppet holder = byPuppetId.get(puppetKey);
        if (holder != null && !holder.person().equals(puppet.person())) {
            throw new StoreConflictException("puppet id " + puppet.puppetId() + " on " + puppet.network()
                    + " already stands for " + holder.person());
        }
        Puppet old = byPerson.put(new PersonKey(puppet.person(), puppet.network()), puppet);
        if (old != null) {
            byPuppetId.remove(new PuppetKey(old.network(), old.puppetId()));
        }
        byPuppetId.put(puppetKey, puppet);
    }

    @Override
    public synchronized Optional<Puppet> find(UserRef person, Network network) {
        return Optional.ofNullable(byPerson.get(new PersonKey(person, network)));
    }

    @Override
    public synchronized Optional<Puppet> findByPuppetId(Network network, RemoteUserId puppetId) {
        return Optional.ofNullable(byPuppetId.get(new PuppetKey(network, puppetId)));
    }

    @Override
    public synchronized List<Puppet> search(String query, int offset, int limit) {
        if (offset < 0 || limit < 0) {
            throw new IllegalArgumentException("offset and limit must not be negative");
        }
        String q = query == null ? "" : query.toLowerCase(Locale.ROOT);
        List<Puppet> hits = new ArrayList<>();
        for (Puppet p : byPerson.values()) {
            if (q.isEmpty() || p.person().toString().toLowerCase(Locale.ROOT).contains(q)
                    || p.puppetId().value().toLowerCase(Locale.ROOT).contains(q)
                    || p.profile().displayName().map(n -> n.toLowerCase(Locale.ROOT).contains(q)).orElse(false)) {
                hits.add(p);
            }
        }
        hits.sort(Comparator.comparing(Puppet::updatedAt).reversed()
                .thenComparing(p -> p.puppetId().value()));
        return hits.stream().skip(offset).limit(limit).toList();
    }
}
