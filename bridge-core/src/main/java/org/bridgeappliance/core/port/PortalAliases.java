package org.bridgeappliance.core.port;

import java.util.Optional;
import org.bridgeappliance.core.id.RemoteRoomId;

/**
 * Optional capability of a {@link ProtocolAdapter} whose room portals may also be reached by a short numeric alias
 * that an admin sets: SIP desk phones compose with a keypad, so {@code sip:lobby@rooms.D} may also be {@code 8001}.
 * Room addresses are given as an admin types them and checked by the adapter. Called on the admin API's threads.
 */
public interface PortalAliases {

    /** The alias of {@code room}'s portal, if it has one. */
    Optional<String> alias(RemoteRoomId room);

    /**
     * Gives {@code room}'s portal the alias {@code alias}, replacing its old one.
     *
     * @return false if another room has that alias
     * @throws IllegalArgumentException when the room is not a valid address or the alias not a valid alias of
     *         this network (the message names the problem)
     */
    boolean setAlias(RemoteRoomId room, String alias);

    /** Removes {@code room}'s alias; false if it had none. @throws IllegalArgumentException as {@link #setAlias} */
    boolean removeAlias(RemoteRoomId room);
}
