package org.bridgeappliance.adapter.sip.room;

import java.util.Optional;
import java.util.function.Supplier;
import org.bridgeappliance.adapter.sip.address.DirectChatId;
import org.bridgeappliance.adapter.sip.address.SipAddressSyntax;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.PortalMembership;

/**
 * Whether the bridge is in a SIP portal, for the admin UI's per-mapping health. SIP has no room server to join:
 * the bridge itself serves the room URIs ({@code sip:<slug>@rooms.D}) and the puppet URIs of 1:1 chats, so it is
 * "in" such a portal exactly while the adapter is CONNECTED (listening, reachable through the proxy), and not while
 * it is starting, reconnecting, failed, stopped or disabled. A room URI outside the bridge's domain, or a 1:1 chat
 * whose puppet URI is not one of the bridge's, is a room the bridge does not serve: false. Anything that is not a
 * SIP portal id at all: empty (cannot tell). Pure: reads the adapter's state and the address syntax, nothing else.
 */
public final class SipPortalMembership implements PortalMembership {
    private final SipAddressSyntax syntax;
    private final Supplier<AdapterState> state;

    public SipPortalMembership(SipAddressSyntax syntax, Supplier<AdapterState> state) {
        this.syntax = syntax;
        this.state = state;
    }

    @Override
    public Optional<Boolean> bridgeJoined(RemoteRoomId room) {
        String id = room.value();
        Optional<DirectChatId> dm = DirectChatId.parse(id);
        Optional<Boolean> served = dm.isPresent() ? Optional.of(servedBy(dm.get().puppet(), true)
                && !syntax.isOwnHost(host(dm.get().phone())))
                : id.regionMatches(true, 0, "sip:", 0, 4) ? Optional.of(servedBy(id, false)) : Optional.empty();
        return served.map(ours -> ours && state.get().status() == AdapterState.Status.CONNECTED);
    }

    /** True when {@code uri} is one of the bridge's puppet URIs ({@code person}) or room URIs. */
    private boolean servedBy(String uri, boolean person) {
        int at = uri.lastIndexOf('@');
        if (!uri.regionMatches(true, 0, "sip:", 0, 4) || at <= 4) {
            return false;
        }
        SipAddressSyntax.Target target = syntax.target(uri.substring(4, at), uri.substring(at + 1));
        return person ? target instanceof SipAddressSyntax.Person : target instanceof SipAddressSyntax.Room;
    }

    /** The host of a SIP person id ({@code erin@sip.test}). */
    private static String host(String personId) {
        return personId.substring(personId.lastIndexOf('@') + 1);
    }
}
