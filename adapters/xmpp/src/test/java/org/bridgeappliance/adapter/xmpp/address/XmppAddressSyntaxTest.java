package org.bridgeappliance.adapter.xmpp.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7622 JIDs as the admin API and other adapters get them (rows moved from admin-ui's InputsTest). */
class XmppAddressSyntaxTest {
    private final XmppAddressSyntax syntax = XmppAddressSyntax.INSTANCE;

    @ParameterizedTest
    @CsvSource({
            "room@conference.xmpp.test,        room@conference.xmpp.test",
            "Room@Conference.XMPP.Test,        room@conference.xmpp.test",
            "café@conference.example.org,      café@conference.example.org",
    })
    void acceptsAndCaseFoldsRooms(String input, String expected) {
        assertEquals(expected, syntax.room(input).value().orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"room", "room@conf.test/resource", "@conf.test", "a b@conf.test", "room@conf..test"})
    void rejectsBadRoomsNamingTheForm(String input) {
        assertEquals("an XMPP room is a bare MUC JID like room@conference.example.org",
                syntax.room(input).problem().orElseThrow());
    }

    @ParameterizedTest
    @CsvSource({"alice@xmpp.test, alice@xmpp.test", "Alice@XMPP.test, alice@xmpp.test"})
    void acceptsUsers(String input, String expected) {
        assertEquals(expected, syntax.user(input).value().orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "alice@xmpp.test/phone"})
    void rejectsBadUsers(String input) {
        assertFalse(syntax.user(input).isValid());
    }

    @ParameterizedTest
    @CsvSource({
            "Bob@XMPP.test,          bob@xmpp.test",
            // the resource is compared as is (RFC 7622 §3.4): kept, case and all
            "bob@xmpp.test/Phone,    bob@xmpp.test/Phone",
            "Room@Conf.test/Ni/ck,   room@conf.test/Ni/ck",
            // total: what the strict check refuses still has a canonical form
            "'tab\there@xmpp.test',  'tab\there@xmpp.test'",
    })
    void canonicalUserFoldsTheBarePartOnly(String id, String expected) {
        assertEquals(expected, syntax.canonicalUser(id));
        assertEquals(expected, syntax.canonicalUser(expected), "idempotent");
    }

    @org.junit.jupiter.api.Test
    void theAdapterOffersIt() {
        org.bridgeappliance.adapter.xmpp.XmppSettings disabled = new org.bridgeappliance.adapter.xmpp.XmppSettings(
                false, "127.0.0.1", 5347, "secret", "xmpp.test", "conference.xmpp.test", "matrix.xmpp.test", 64 * 1024,
                java.time.Duration.ofMinutes(5), java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(20),
                java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(3), java.time.Duration.ofMinutes(5),
                "Matrix bridge", true, 20);
        assertEquals(java.util.Optional.of(syntax),
                new org.bridgeappliance.adapter.xmpp.XmppAdapter(disabled).addressSyntax());
    }
}
