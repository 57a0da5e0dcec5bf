package org.bridgeappliance.adapter.sip.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.bridgeappliance.core.model.Presence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One row per line of the mapping table in {@code adapters/sip/README.md} ("Presence") (RFC 3863 + RFC 4480): the exact
 * PIDF {@link PidfWriter} writes for the canonical state, and that {@link PidfReader} reads it back as the same.
 */
class PresenceMappingTableTest {
    private static final String ENTITY = "sip:bob*xmpp.test@xmpp.bridge.sip.test";
    /** The first 8 bytes of SHA-256 of {@link #ENTITY}, hex: the tuple and person ids. */
    private static final String ID = java.util.HexFormat.of().formatHex(sha256(ENTITY), 0, 8);

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("available", SipPresence.of(Presence.AVAILABLE),
                        tuple("open", "") + ""),
                Arguments.of("away", SipPresence.of(Presence.AWAY),
                        tuple("open", "") + person("<rpid:activities><rpid:away/></rpid:activities>")),
                Arguments.of("extended away", SipPresence.of(Presence.EXTENDED_AWAY, "Gone fishing"),
                        tuple("open", "<note>Gone fishing</note>") + person(
                                "<rpid:activities><rpid:away/></rpid:activities><rpid:user-input>idle</rpid:user-input>")),
                Arguments.of("do not disturb / busy", SipPresence.of(Presence.DO_NOT_DISTURB, "Do not disturb"),
                        tuple("open", "<note>Do not disturb</note>")
                                + person("<rpid:activities><rpid:busy/></rpid:activities>")),
                Arguments.of("on the phone", SipPresence.of(Presence.ON_THE_PHONE),
                        tuple("open", "") + person("<rpid:activities><rpid:on-the-phone/></rpid:activities>")),
                Arguments.of("offline", SipPresence.of(Presence.OFFLINE),
                        tuple("closed", "")),
                Arguments.of("status text as <note>, escaped", SipPresence.of(Presence.AVAILABLE, "Tom & <Jerry> \"q\""),
                        tuple("open", "<note>Tom &amp; &lt;Jerry&gt; &quot;q&quot;</note>")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void writesTheRowAndReadsItBack(String row, SipPresence state, String body) {
        String expected = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\""
                + " xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"" + ENTITY + "\">\n"
                + body + "</presence>\n";
        String written = PidfWriter.write(ENTITY, state);
        assertEquals(expected, written, row);
        assertEquals(state, PidfReader.read(written.getBytes(StandardCharsets.UTF_8)), row);
    }

    private static String tuple(String basic, String note) {
        return "<tuple id=\"t" + ID + "\"><status><basic>" + basic + "</basic></status>" + note + "</tuple>\n";
    }

    private static String person(String inner) {
        return "<dm:person id=\"p" + ID + "\">" + inner + "</dm:person>\n";
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
