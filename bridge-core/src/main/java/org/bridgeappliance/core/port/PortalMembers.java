package org.bridgeappliance.core.port;

import java.util.List;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;

/**
 * Optional capability of a {@link ProtocolAdapter} whose room portals have members that the bridge itself keeps and
 * an admin may manage: a SIP room portal's members are the phones that receive the room's messages (RFC 3428 pager
 * mode has no room membership of its own). Networks with their own membership (XMPP MUCs, Matrix rooms) do not
 * offer it.
 *
 * <p>Room and user addresses are given as an admin types them; the adapter validates and normalises them with its
 * own address rules ({@link ProtocolAdapter#addressSyntax}). Called on the admin API's blocking threads.
 */
public interface PortalMembers {

    /** The members of the portal {@code room}, sorted; empty for a room without members. */
    List<String> members(RemoteRoomId room);

    /**
     * Adds {@code user} to {@code room}'s portal (the adapter may tell the user).
     *
     * @return the normalised user id, or empty if already a member
     * @throws IllegalArgumentException when the room or the user is not a valid address of this network (the
     *         message names the problem and is shown to the admin)
     */
    java.util.Optional<String> addMember(RemoteRoomId room, RemoteUserId user);

    /**
     * Removes {@code user} from {@code room}'s portal.
     *
     * @return false if not a member
     * @throws IllegalArgumentException as {@link #addMember}
     */
    boolean removeMember(RemoteRoomId room, RemoteUserId user);
}
