package org.bridgeappliance.adapter.sip.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.port.AddressSyntax;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The core's AddressSyntax capability for SIP: room portals and addresses of record (RFC 3261 §19.1). */
class SipAddressRulesTest {
    private final AddressSyntax rules = new SipAddressRules(
            new SipAddressSyntax("bridge.sip.test", List.of("matrix", "xmpp")));

    @ParameterizedTest(name = "room {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "sip:lobby@rooms.bridge.sip.test     | sip:lobby@rooms.bridge.sip.test",
        "SIP:Lobby@ROOMS.Bridge.SIP.test     | sip:lobby@rooms.bridge.sip.test",
        "lobby@rooms.bridge.sip.test         | sip:lobby@rooms.bridge.sip.test",
        "lobby                               | sip:lobby@rooms.bridge.sip.test",
        "sip:team-2.x_y@rooms.bridge.sip.test | sip:team-2.x_y@rooms.bridge.sip.test",
        "sip:lob%62y@rooms.bridge.sip.test   | sip:lobby@rooms.bridge.sip.test",
    })
    void acceptsRoomPortals(String typed, String stored) {
        assertEquals(Optional.of(stored), rules.room(typed).value());
        assertEquals(stored, rules.canonicalRoom(stored), "canonical form is a fixed point");
        assertEquals(stored, rules.canonicalRoom(typed));
    }

    @ParameterizedTest(name = "room {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "sip:lobby@sip.test                       | sip.test is not the bridge's room domain",
        "sip:bob*xmpp.test@xmpp.bridge.sip.test   | is not the bridge's room domain",
        "sip:-lobby@rooms.bridge.sip.test         | a room name is 1 to 64",
        "sip:lob by@rooms.bridge.sip.test         | without parameters",
        "sip:lobby@rooms.bridge.sip.test;lr       | without parameters",
        "sips:lobby@rooms.bridge.sip.test         | a sip: URI",
        "sip:lo%ZZ@rooms.bridge.sip.test          | a room name is 1 to 64",
        "sip:@rooms.bridge.sip.test               | a room name is 1 to 64",
    })
    void rejectsOtherRooms(String typed, String problem) {
        assertRefused(rules.room(typed), "a SIP room is a room portal URI like sip:lobby@rooms.bridge.sip.test",
                problem);
    }

    /** Refused, with a message that shows the right form and names what is wrong. */
    private static void assertRefused(AddressSyntax.Parsed parsed, String example, String problem) {
        assertTrue(parsed.value().isEmpty(), parsed.toString());
        String message = parsed.problem().orElseThrow();
        assertTrue(message.startsWith(example), message);
        assertTrue(message.contains(problem), message);
    }

    @ParameterizedTest(name = "user {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "sip:erin@sip.test        | erin@sip.test",
        "erin@sip.test            | erin@sip.test",
        "SIP:Erin@SIP.Test        | Erin@sip.test",
        "sip:j%C3%BCrgen@sip.test | jürgen@sip.test",
        "sip:%2541@sip.test       | %41@sip.test",
        "sip:+4930123@[2001:db8::1] | +4930123@[2001:db8::1]",
    })
    void acceptsAddressesOfRecord(String typed, String stored) {
        assertEquals(Optional.of(stored), rules.user(typed).value());
        assertEquals(stored, rules.canonicalUser(stored), "canonical form is a fixed point");
    }

    @ParameterizedTest(name = "user {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "sip:erin                        | (user@host)",
        "sip:@sip.test                   | (user@host)",
        "sip:erin@                       | (user@host)",
        "sip:erin:secret@sip.test        | no password",
        "sip:erin@sip.test:5060          | without a port",
        "sip:erin@sip.test;transport=tcp | without display name, parameters or headers",
        "'\"Erin\" <sip:erin@sip.test>'  | without display name, parameters or headers",
        "tel:+4930123                    | a sip: URI",
        "sip:bob*xmpp.test@xmpp.bridge.sip.test | is the bridge's own domain",
        "sip:er%ZZin@sip.test            | bad %-escape",
    })
    void rejectsWhatIsNotAPerson(String typed, String problem) {
        assertRefused(rules.user(typed), "a SIP user is an address of record like sip:erin@example.org", problem);
    }

    /** Ids the adapter made keep their form (and so their Matrix ghost ids); only a host's case is folded. */
    @ParameterizedTest(name = "canonicalUser {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "erin@sip.test      | erin@sip.test",
        "Erin@SIP.test      | Erin@sip.test",
        "%41@sip.test       | %41@sip.test",
        "a@b@sip.test       | a@b@sip.test",
        "no-at-sign         | no-at-sign",
    })
    void canonicalUserIsTotalAndIdempotent(String id, String canonical) {
        assertEquals(canonical, rules.canonicalUser(id));
        assertEquals(canonical, rules.canonicalUser(canonical));
    }

    @ParameterizedTest(name = "canonicalRoom keeps {0}")
    @CsvSource(delimiter = '|', value = {
        "dm:sip:erin@sip.test sip:bob*xmpp.test@xmpp.bridge.sip.test",
        "something else",
    })
    void canonicalRoomKeepsIdsItDoesNotKnow(String id) {
        assertEquals(id, rules.canonicalRoom(id));
    }
}
