package org.bridgeappliance.adapter.sip.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.bridgeappliance.adapter.sip.address.DirectChatId;
import org.bridgeappliance.adapter.sip.address.SipAddressSyntax;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.port.AdapterState;
import org.junit.jupiter.api.Test;

/** "Bridge joined" for SIP portals: the bridge serves its room and puppet URIs while the adapter is connected. */
class SipPortalMembershipTest {
    private final SipAddressSyntax syntax = new SipAddressSyntax("bridge.sip.test", List.of("matrix", "xmpp"));
    private final AtomicReference<AdapterState> state = new AtomicReference<>(
            AdapterState.of(AdapterState.Status.CONNECTED, "listening"));
    private final SipPortalMembership membership = new SipPortalMembership(syntax, state::get);

    private Optional<Boolean> joined(String room) {
        return membership.bridgeJoined(RemoteRoomId.of(room));
    }

    @Test
    void aRoomOfTheBridgesDomainIsJoinedExactlyWhileTheAdapterIsConnected() {
        String lobby = syntax.roomUri("lobby");
        assertEquals(Optional.of(true), joined(lobby));
        assertEquals(Optional.of(true), joined("SIP:Lobby@Rooms.Bridge.Sip.Test"), "case as typed");
        for (AdapterState.Status s : List.of(AdapterState.Status.STARTING, AdapterState.Status.RECONNECTING,
                AdapterState.Status.FAILED, AdapterState.Status.STOPPED, AdapterState.Status.DISABLED)) {
            state.set(AdapterState.of(s, s.name()));
            assertEquals(Optional.of(false), joined(lobby), s.name());
        }
        state.set(AdapterState.of(AdapterState.Status.CONNECTED, "back"));
        assertEquals(Optional.of(true), joined(lobby));
    }

    @Test
    void aOneToOneChatIsJoinedWhenItsPuppetIsTheBridgesAndThePhoneIsNot() {
        String puppet = syntax.puppetUri(org.bridgeappliance.core.id.UserRef.of("matrix", "@carol:matrix.test"))
                .orElseThrow();
        assertEquals(Optional.of(true), joined(new DirectChatId("erin@sip.test", puppet).value()));
        assertEquals(Optional.of(false), joined(new DirectChatId("erin@sip.test", "sip:carol@elsewhere.test").value()),
                "a puppet URI the bridge does not serve");
        assertEquals(Optional.of(false), joined(new DirectChatId("loop@matrix.bridge.sip.test", puppet).value()),
                "the bridge's own URI is no phone");
        state.set(AdapterState.of(AdapterState.Status.RECONNECTING, "proxy unreachable"));
        assertEquals(Optional.of(false), joined(new DirectChatId("erin@sip.test", puppet).value()));
    }

    @Test
    void roomsTheBridgeDoesNotServeAreNotJoinedAndOtherIdsAreUnknown() {
        assertEquals(Optional.of(false), joined("sip:lobby@rooms.other.test"), "another domain");
        assertEquals(Optional.of(false), joined("sip:lobby@bridge.sip.test"), "the domain itself is no room host");
        assertEquals(Optional.of(false), joined("sip:Bad Slug!@rooms.bridge.sip.test"), "not a room slug");
        assertEquals(Optional.of(false), joined("sip:rooms.bridge.sip.test"), "no user part");
        assertEquals(Optional.empty(), joined("lobby@conference.xmpp.test"), "not a SIP portal id");
        assertEquals(Optional.empty(), joined("!room:matrix.test"));
    }
}
