package org.bridgeappliance.admin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.core.id.Network;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Room and user address syntax per network (RFC 7622 JIDs, Matrix identifier grammar, RFC 3261 SIP URIs). */
class InputsTest {
    private static final Set<Network> KNOWN = Set.of(Network.of("xmpp"), Network.of("matrix"), Network.of("sip"));

    @ParameterizedTest
    @CsvSource({
            "xmpp,   room@conference.xmpp.test,        room@conference.xmpp.test",
            "xmpp,   Room@Conference.XMPP.Test,        room@conference.xmpp.test",
            "xmpp,   ' spaced@c.test ',                spaced@c.test",
            "xmpp,   café@conference.example.org,      café@conference.example.org",
            "matrix, '!abc:matrix.test',               '!abc:matrix.test'",
            "matrix, '!AbC:matrix.test:8448',          '!AbC:matrix.test:8448'",
            "matrix, '!hashOnlyRoomV12',               '!hashOnlyRoomV12'",
            "matrix, '#Lobby:matrix.test',             '#Lobby:matrix.test'",
            "matrix, '!x:[::1]:8448',                  '!x:[::1]:8448'",
            "sip,    sip:room@bridge.sip.test,         sip:room@bridge.sip.test",
            "sip,    SIP:Room@Bridge.SIP.test:5070,    sip:Room@bridge.sip.test:5070",
            "sips,   x,                                x",
    })
    void acceptsAndNormalisesRooms(String network, String input, String expected) {
        Set<Network> known = network.equals("sips") ? Set.of(Network.of("sips")) : KNOWN;
        Network n = Inputs.network("n", network, known);
        assertEquals(expected, Inputs.room("r", n, input));
    }

    @ParameterizedTest
    @CsvSource({
            "xmpp,   room",
            "xmpp,   room@conf.test/resource",
            "xmpp,   @conf.test",
            "xmpp,   a b@conf.test",
            "xmpp,   room@conf..test",
            "matrix, room:matrix.test",
            "matrix, '!abc:'",
            "matrix, '#alias'",
            "matrix, '!a b:matrix.test'",
            "sip,    room@sip.test",
            "sip,    sip:@sip.test",
            "sip,    sip:room@sip.test;transport=tcp",
    })
    void rejectsBadRooms(String network, String input) {
        Network n = Inputs.network("n", network, KNOWN);
        ApiException e = assertThrows(ApiException.class, () -> Inputs.room("portals[0].room", n, input));
        assertEquals("portals[0].room", e.field());
    }

    @ParameterizedTest
    @CsvSource({"xmpp, alice@xmpp.test", "matrix, '@alice:matrix.test'", "sip, sip:alice@sip.test"})
    void acceptsUsers(String network, String user) {
        Inputs.user("u", Network.of(network), user);
    }

    @ParameterizedTest
    @CsvSource({"xmpp, alice", "matrix, alice:matrix.test", "matrix, '@alice'", "sip, alice@sip.test"})
    void rejectsBadUsers(String network, String user) {
        assertThrows(ApiException.class, () -> Inputs.user("u", Network.of(network), user));
    }

    @ParameterizedTest
    @CsvSource({"irc", "XMPP2", "'x y'", "''"})
    void rejectsUnknownNetworks(String network) {
        ApiException e = assertThrows(ApiException.class, () -> Inputs.network("portals[0].network", network, KNOWN));
        assertEquals("portals[0].network", e.field());
    }

    @org.junit.jupiter.api.Test
    void networkNamesAreCaseInsensitive() {
        assertEquals(Network.of("xmpp"), Inputs.network("n", "XMPP", KNOWN));
    }
}
