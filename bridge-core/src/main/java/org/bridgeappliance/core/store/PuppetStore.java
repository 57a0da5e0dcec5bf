package org.bridgeappliance.core.store;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;

/** Puppets, unique per (person, network) and per (network, puppet id). */
public interface PuppetStore {
    /** Inserts or updates the puppet of {@code puppet.person()} on {@code puppet.network()}. */
    void save(Puppet puppet);

    Optional<Puppet> find(UserRef person, Network network);

    Optional<Puppet> findByPuppetId(Network network, RemoteUserId puppetId);

    /** Case-insensitive search over person ids, puppet ids and display names; newest first. */
    List<Puppet> search(String query, int offset, int limit);

    /**
     * Like {@link #search(String, int, int)}, only puppets living on {@code network} when one is given. The default
     * reads every match through {@link #search(String, int, int)}; stores with a query language override it.
     */
    default List<Puppet> search(String query, Optional<Network> network, int offset, int limit) {
        List<Puppet> all = allMatching(this, query, network);
        int from = Math.min(offset, all.size());
        return List.copyOf(all.subList(from, Math.min(all.size(), from + limit)));
    }

    /** How many puppets {@link #search(String, Optional, int, int)} finds in all: an exact count. */
    default long count(String query, Optional<Network> network) {
        return allMatching(this, query, network).size();
    }

    private static List<Puppet> allMatching(PuppetStore store, String query, Optional<Network> network) {
        final int chunk = 1000;
        List<Puppet> matches = new java.util.ArrayList<>();
        for (int start = 0; ; start += chunk) {
            List<Puppet> page = store.search(query, start, chunk);
            page.stream().filter(p -> network.isEmpty() || p.network().equals(network.get())).forEach(matches::add);
            if (page.size() < chunk) {
                return matches;
            }
        }
    }
}
