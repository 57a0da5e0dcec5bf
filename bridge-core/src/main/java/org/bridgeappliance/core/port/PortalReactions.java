package org.bridgeappliance.core.port;

import org.bridgeappliance.core.id.RemoteRoomId;

/**
 * Optional capability of a {@link ProtocolAdapter} whose room portals cannot show reactions natively and get them
 * as the router's text notices ("Alice reacted 👍"): an admin may switch those notices off per room portal (SIP
 * phones in a busy room). On by default. Room addresses are given as an admin types them and checked by the
 * adapter. Called on the admin API's threads.
 */
public interface PortalReactions {

    /** Whether reactions reach {@code room}'s portal (as notices). @throws IllegalArgumentException bad address */
    boolean reactionsShown(RemoteRoomId room);

    /** Switches reactions for {@code room}'s portal on or off. @throws IllegalArgumentException bad address */
    void setReactionsShown(RemoteRoomId room, boolean shown);
}
