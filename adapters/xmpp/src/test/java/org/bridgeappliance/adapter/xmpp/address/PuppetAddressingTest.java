package org.bridgeappliance.adapter.xmpp.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.UserRef;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PuppetAddressingTest {
    final PuppetAddressing addressing = new PuppetAddressing("matrix.xmpp.test");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "@alice:matrix.test|alice%matrix.test@matrix.xmpp.test",
        "@Alice:matrix.test|\\41lice%matrix.test@matrix.xmpp.test",
        "@bob.smith_1=x-y/z+w:example.org:8448|bob.smith_1=x-y\\2fz+w%example.org\\3a8448@matrix.xmpp.test",
        "@50%off:matrix.test|50\\25off%matrix.test@matrix.xmpp.test",
        "@we ird@x:matrix.test|we\\20ird\\40x%matrix.test@matrix.xmpp.test",
        "@jörg:matrix.test|j\\c3\\b6rg%matrix.test@matrix.xmpp.test",
        "@back\\slash:m.test|back\\5cslash%m.test@matrix.xmpp.test",
    })
    void readableAndExact(String mxid, String jid) throws Exception {
        UserRef person = UserRef.of("matrix", mxid);
        EntityBareJid puppet = addressing.puppetJid(person);
        assertEquals(jid, puppet.toString());
        assertEquals(Optional.of(person), addressing.person(puppet));
        // What a server hands back after nodeprep must still decode to the same person.
        assertEquals(Optional.of(person), addressing.person(JidCreate.from(puppet.toString())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"@a:b", "@ALICE:MATRIX.TEST", "@aLiCe:Matrix.Test", "@%:%", "@\\:\\", "@a/b c:d e",
        "@日本語:例え.jp", "@emoji😀:matrix.test", "@'\"&<>:x", "@a+b:c", "@a%b%c:d%e", "@\\41:x"})
    void roundTripsAwkwardMatrixIds(String mxid) throws Exception {
        UserRef person = UserRef.of("matrix", mxid);
        EntityBareJid puppet = addressing.puppetJid(person);
        EntityBareJid prepared = JidCreate.entityBareFrom(puppet.toString());
        assertEquals(puppet, prepared, "nodeprep must not change a puppet JID");
        assertEquals(Optional.of(person), addressing.person(prepared));
    }

    @Test
    void caseVariantsGetDistinctJids() {
        Set<String> jids = new HashSet<>();
        for (String mxid : new String[] {"@alice:m.test", "@Alice:m.test", "@ALICE:m.test", "@alice:M.test"}) {
            jids.add(addressing.puppetJid(UserRef.of("matrix", mxid)).toString());
        }
        assertEquals(4, jids.size(), jids.toString());
    }

    @Test
    void randomIdsRoundTrip() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            // A Matrix localpart ends at the first ':' (the server name may contain more, e.g. a port).
            String local = "x" + randomString(random, random.nextInt(20)).replace(":", "");
            String server = randomString(random, 1 + random.nextInt(10)).replace(":", "");
            if (server.isEmpty()) {
                server = "s";
            }
            UserRef person = UserRef.of("matrix", "@" + local + ":" + server);
            if (person.user().value().isBlank()) {
                continue;
            }
            EntityBareJid puppet = addressing.puppetJid(person);
            assertEquals(Optional.of(person), addressing.person(JidCreate.entityBareFrom(puppet.toString())),
                    person.toString());
        }
    }

    private static String randomString(Random random, int length) {
        String alphabet = "abcXYZ019 @%/:\\&'\"<>.-_=+~!#äÖ€😀\t";
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            sb.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, random.nextInt(
                    alphabet.codePointCount(0, alphabet.length())))));
        }
        return sb.toString();
    }

    @Test
    void otherNetworksUseAPrefix() throws Exception {
        UserRef sip = UserRef.of("sip", "Alice@sip.test");
        EntityBareJid puppet = addressing.puppetJid(sip);
        assertEquals("sip+\\41lice\\40sip.test@matrix.xmpp.test", puppet.toString());
        assertEquals(Optional.of(sip), addressing.person(puppet));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice@xmpp.test", "matrix.xmpp.test", "plain@matrix.xmpp.test", "a%b%c@matrix.xmpp.test",
        "\\41%b@matrix.xmpp.test" /* non-canonical: 'A'... is fine */, "x\\zz%b@matrix.xmpp.test",
        "#room%matrix.test@matrix.xmpp.test", "%b@matrix.xmpp.test", "a%@matrix.xmpp.test",
        "matrix+x@matrix.xmpp.test", "xmpp+x@matrix.xmpp.test", "a\\61%b@matrix.xmpp.test"})
    void foreignAddressesAreNotPuppets(String jid) throws Exception {
        Optional<UserRef> person = addressing.person(JidCreate.from(jid));
        if (jid.startsWith("\\41")) {
            assertEquals(Optional.of(UserRef.of("matrix", "@A:b")), person);
        } else {
            assertTrue(person.isEmpty(), jid + " -> " + person);
        }
    }

    @Test
    void refusesWhatCannotBeAddressed() {
        assertThrows(IllegalArgumentException.class, () -> addressing.puppetJid(UserRef.of("matrix", "alice")));
        assertThrows(IllegalArgumentException.class, () -> addressing.puppetJid(UserRef.of("matrix", "@:x")));
        assertThrows(IllegalArgumentException.class, () -> addressing.puppetJid(UserRef.of("xmpp", "a@b")));
        assertThrows(IllegalArgumentException.class,
                () -> addressing.puppetJid(UserRef.of("matrix", "@" + "Ä".repeat(300) + ":x")));
    }

    @Test
    void gatewayRoomsRoundTrip() throws Exception {
        GatewayAddressing gateway = new GatewayAddressing("matrix.xmpp.test");
        for (String address : new String[] {"#room:matrix.test", "#Room:matrix.test", "!AbCdEf:matrix.test",
            "#a b/c@d:server:8448"}) {
            EntityBareJid jid = gateway.roomJid(address);
            assertEquals(Optional.of(address), gateway.roomAddress(JidCreate.from(jid.toString())), address);
            assertTrue(addressing.person(jid).isEmpty(), "a room is not a puppet: " + jid);
        }
        assertEquals("#room%matrix.test@matrix.xmpp.test", gateway.roomJid("#room:matrix.test").toString());
        assertTrue(gateway.roomAddress(JidCreate.from("alice%matrix.test@matrix.xmpp.test")).isEmpty());
    }

    @Test
    void directChatIds() throws Exception {
        EntityBareJid user = JidCreate.entityBareFrom("Alice@XMPP.test");
        EntityBareJid puppet = addressing.puppetJid(UserRef.of("matrix", "@Bob:matrix.test"));
        RemoteRoomId id = DirectChatIds.of(user, puppet);
        assertEquals("dm:alice@xmpp.test \\42ob%matrix.test@matrix.xmpp.test", id.value());
        assertEquals(new DirectChatIds.Pair(user, puppet), DirectChatIds.parse(id).orElseThrow());
        assertTrue(DirectChatIds.parse(RemoteRoomId.of("room@conference.xmpp.test")).isEmpty());
    }
}
