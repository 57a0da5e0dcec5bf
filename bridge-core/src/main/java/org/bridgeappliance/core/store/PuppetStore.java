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
}
