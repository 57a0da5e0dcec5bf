package org.bridgeappliance.adapter.matrix.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Matrix spec appendix "Mapping from other character sets", applied to ghost ids and aliases. */
class GhostIdCodecTest {
    private final GhostIdCodec codec = new GhostIdCodec("matrix.test", "bridgebot", List.of("xmpp", "sip"), StandInAddressing.INSTANCE);

    @ParameterizedTest(name = "{0}/{1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "xmpp|bob@xmpp.test|@_xmpp_bob=40xmpp.test:matrix.test",
        // XMPP localparts and domains are case-insensitive (RFC 7622): one person, one ghost
        "xmpp|Bob@XMPP.test|@_xmpp_bob=40xmpp.test:matrix.test",
        // the resource is case-sensitive and keeps its case through the _x escape
        "xmpp|bob@xmpp.test/Phone|@_xmpp_bob=40xmpp.test=2f_phone:matrix.test",
        "xmpp|o_neil@xmpp.test|@_xmpp_o__neil=40xmpp.test:matrix.test",
        "xmpp|a=b@xmpp.test|@_xmpp_a=3db=40xmpp.test:matrix.test",
        "xmpp|jürgen@xmpp.test|@_xmpp_j=c3=bcrgen=40xmpp.test:matrix.test",
        "sip|Alice@SIP.test|@_sip__alice=40sip.test:matrix.test",
        "sip|sip:100%20x@sip.test|@_sip_sip=3a100=2520x=40sip.test:matrix.test",
    })
    void encodesGhostIds(String network, String id, String mxid) {
        assertEquals(mxid, codec.ghostUserId(UserRef.of(network, id)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice@xmpp.test", "o_neil@xmpp.test", "a b@xmpp.test/Res Ource", "100%@xmpp.test",
        "x/y@xmpp.test/a/b", "ünï©ødé@xmpp.test", "emoji🙂@xmpp.test", "a=3d@xmpp.test", "__@xmpp.test",
        "tab\there@xmpp.test", "plus+tag@xmpp.test"})
    void xmppIdsRoundTrip(String jid) {
        UserRef person = UserRef.of("xmpp", jid);
        String mxid = codec.ghostUserId(person);
        assertTrue(mxid.substring(1, mxid.indexOf(':')).matches("[a-z0-9._=\\-]+"), mxid);
        assertEquals(Optional.of(UserRef.of("xmpp", StandInAddressing.INSTANCE.canonicalUser(Network.of("xmpp"), jid))), codec.personOf(mxid));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Alice@sip.test", "sip:Bob@Sip.Test", "+4930123@sip.test", "UPPER_lower@x.y",
        "%41@sip.test", "sip:a;b=c@sip.test"})
    void sipIdsRoundTripKeepingUserCase(String aor) {
        UserRef person = UserRef.of("sip", aor);
        String mxid = codec.ghostUserId(person);
        UserRef back = codec.personOf(mxid).orElseThrow();
        assertEquals(StandInAddressing.INSTANCE.canonicalUser(Network.of("sip"), aor), back.user().value());
    }

    @Test
    void distinctPeopleGetDistinctGhosts() {
        // case differs only in the SIP user part, which SIP compares case-sensitively
        assertFalse(codec.ghostUserId(UserRef.of("sip", "Alice@sip.test"))
                .equals(codec.ghostUserId(UserRef.of("sip", "alice@sip.test"))));
        // "_a" (escape of A) versus a literal underscore before a
        assertFalse(codec.ghostUserId(UserRef.of("sip", "_a@x")).equals(codec.ghostUserId(UserRef.of("sip", "A@x"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"@_xmpp_=61@x:matrix.test", "@_xmpp_bob=4:matrix.test", "@_xmpp_bob=zz:matrix.test",
        "@_xmpp_bob_:matrix.test", "@_xmpp_Bob:matrix.test", "@_xmpp_b=ff=fe:matrix.test", "@_xmpp_:matrix.test",
        "@_xmpp_bob=40xmpp.test:other.server", "@alice:matrix.test", "#_xmpp_bob=40xmpp.test:matrix.test",
        "@_irc_bob:matrix.test", "@_xmpp_bob=40_x_m_p_p.test:matrix.test"})
    void rejectsNonCanonicalOrForeignIds(String mxid) {
        assertEquals(Optional.empty(), codec.personOf(mxid));
    }

    @Test
    void bridgeUsersAreTheBotAndEveryNamespacedId() {
        assertTrue(codec.isBridgeUser("@bridgebot:matrix.test"));
        assertTrue(codec.isBridgeUser("@_xmpp_bob=40xmpp.test:matrix.test"));
        assertTrue(codec.isBridgeUser("@_sip_anything:matrix.test"));
        // in the namespace but not decodable: still ours, never bridged back
        assertTrue(codec.isBridgeUser("@_xmpp_=zz:matrix.test"));
        assertFalse(codec.isBridgeUser("@alice:matrix.test"));
        assertFalse(codec.isBridgeUser("@_xmpp_bob:elsewhere.org"));
        assertFalse(codec.isBridgeUser("@bridgebot:elsewhere.org"));
        assertFalse(codec.isBridgeUser(null));
    }

    @Test
    void aliasesRoundTrip() {
        String alias = codec.aliasFor(Network.of("xmpp"), "Room@Conference.Example.org");
        assertEquals("#_xmpp_room=40conference.example.org:matrix.test", alias);
        assertEquals(Optional.of(new GhostIdCodec.Address("xmpp", "room@conference.example.org")),
                codec.addressOfAlias(alias));
        assertEquals(Optional.empty(), codec.addressOfAlias("#general:matrix.test"));
    }

    @Test
    void refusesIdsTooLongForMatrix() {
        String longJid = "a".repeat(240) + "@xmpp.test";
        assertThrows(IllegalArgumentException.class, () -> codec.ghostUserId(UserRef.of("xmpp", longJid)));
        assertThrows(IllegalArgumentException.class, () -> codec.ghostUserId(UserRef.of("matrix", "@a:b")));
    }
}
