package org.bridgeappliance.adapter.sip.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.UserRef;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** RFC 3261 §25.1 user part and the bridge's puppet/room URI scheme (DESIGN.md, issue 11). */
class SipAddressSyntaxTest {
    private final SipAddressSyntax syntax = new SipAddressSyntax("bridge.sip.test", List.of("matrix", "xmpp"));

    @ParameterizedTest(name = "{0} {1} <-> {2}")
    @CsvSource(delimiter = '|', value = {
        "xmpp   | bob@xmpp.test            | sip:bob*xmpp.test@xmpp.bridge.sip.test",
        "matrix | @carol:matrix.test       | sip:carol*matrix.test@matrix.bridge.sip.test",
        "matrix | @carol:matrix.test:8448  | sip:carol*matrix.test%3A8448@matrix.bridge.sip.test",
        "matrix | @a/b=c+d:hs.example      | sip:a/b=c+d*hs.example@matrix.bridge.sip.test",
        "xmpp   | o'hara@xmpp.test         | sip:o'hara*xmpp.test@xmpp.bridge.sip.test",
        "xmpp   | a*b@xmpp.test            | sip:a%2Ab*xmpp.test@xmpp.bridge.sip.test",
        "xmpp   | a;b?c@xmpp.test          | sip:a%3Bb%3Fc*xmpp.test@xmpp.bridge.sip.test",
        "xmpp   | jürgen@xmpp.test         | sip:j%C3%BCrgen*xmpp.test@xmpp.bridge.sip.test",
        "xmpp   | a b#c%d@xmpp.test        | sip:a%20b%23c%25d*xmpp.test@xmpp.bridge.sip.test",
    })
    void puppetUriRoundTrips(String network, String id, String uri) {
        UserRef person = UserRef.of(network, id);
        assertEquals(Optional.of(uri), syntax.puppetUri(person));
        String user = uri.substring(4, uri.lastIndexOf('@'));
        String host = uri.substring(uri.lastIndexOf('@') + 1);
        assertEquals(new SipAddressSyntax.Person(person), syntax.target(user, host));
    }

    @Test
    void splitsAtTheLastStarAndDecodesOnce() {
        // A phone may type a literal '*' inside the local part; the last '*' separates.
        assertEquals(new SipAddressSyntax.Person(UserRef.of("xmpp", "a*b@xmpp.test")),
                syntax.target("a*b*xmpp.test", "xmpp.bridge.sip.test"));
        // %2541 decodes once to "%41", never further to "A".
        assertEquals(new SipAddressSyntax.Person(UserRef.of("xmpp", "%41@xmpp.test")),
                syntax.target("%2541*xmpp.test", "xmpp.bridge.sip.test"));
        // XMPP addresses compare in lower case (RFC 7622); the host of a URI is case-insensitive.
        assertEquals(new SipAddressSyntax.Person(UserRef.of("xmpp", "bob@xmpp.test")),
                syntax.target("Bob*XMPP.test", "XMPP.Bridge.SIP.test"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bob                | xmpp.bridge.sip.test",
        "bob*               | xmpp.bridge.sip.test",
        "*xmpp.test         | xmpp.bridge.sip.test",
        "bob%2*xmpp.test    | xmpp.bridge.sip.test",
        "bob%C3*xmpp.test   | xmpp.bridge.sip.test",
        "bob*xmpp.test      | irc.bridge.sip.test",
        "bob*xmpp.test      | bridge.sip.test",
        "bob*xmpp.test      | xmpp.other.test",
        "carol:x*matrix.test| matrix.bridge.sip.test",
        "bob*a/b            | xmpp.bridge.sip.test",
        "Lobby!             | rooms.bridge.sip.test",
    })
    void rejectsWhatNoPuppetOrRoomIs(String user, String host) {
        assertInstanceOf(SipAddressSyntax.Unknown.class, syntax.target(user, host));
    }

    @Test
    void roomsBySlug() {
        assertEquals(new SipAddressSyntax.Room("lobby"), syntax.target("lobby", "rooms.bridge.sip.test"));
        assertEquals(new SipAddressSyntax.Room("team-1.dev_x"), syntax.target("Team-1.dev_x", "rooms.bridge.sip.test"));
        assertEquals("sip:lobby@rooms.bridge.sip.test", syntax.roomUri("lobby"));
        assertTrue(SipAddressSyntax.isValidSlug("8001"));
        assertFalse(SipAddressSyntax.isValidSlug("-x"));
        assertFalse(SipAddressSyntax.isValidSlug("a".repeat(65)));
        assertFalse(SipAddressSyntax.isValidSlug("dm:x"));
    }

    @Test
    void sipPeopleAreAddressesOfRecord() {
        assertEquals(Optional.of("erin@sip.test"), SipAddressSyntax.personId("erin", "SIP.test"));
        assertEquals(Optional.of("Erin Smith@sip.test"), SipAddressSyntax.personId("Erin%20Smith", "sip.test"));
        assertEquals("sip:Erin%20Smith@sip.test", SipAddressSyntax.personUri("Erin Smith@sip.test"));
        assertEquals(Optional.empty(), SipAddressSyntax.personId("%zz", "sip.test"));
        assertTrue(syntax.isOwnHost("rooms.bridge.sip.test"));
        assertFalse(syntax.isOwnHost("sip.test"));
    }

    @Test
    void directChatIdsRoundTrip() {
        DirectChatId id = new DirectChatId("Erin Smith@sip.test", "sip:carol*matrix.test@matrix.bridge.sip.test");
        assertEquals("dm:sip:Erin%20Smith@sip.test sip:carol*matrix.test@matrix.bridge.sip.test", id.value());
        assertEquals(Optional.of(id), DirectChatId.parse(id.value()));
        assertEquals(Optional.empty(), DirectChatId.parse("lobby"));
    }
}
