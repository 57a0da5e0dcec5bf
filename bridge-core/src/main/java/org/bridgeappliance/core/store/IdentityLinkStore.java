package org.bridgeappliance.core.store;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;

/** Identity links; an account takes part in at most one link per other network. */
public interface IdentityLinkStore {
    /** @throws StoreConflictException if either account is already linked on the other's network */
    IdentityLink link(UserRef first, UserRef second);

    boolean unlink(long id);

    /** The account of the same person on {@code network}, if an admin linked one. */
    Optional<UserRef> linkedAccount(UserRef person, Network network);

    List<IdentityLink> all();
}
