package org.bridgeappliance.adapter.sip.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.bridgeappliance.core.model.Presence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** PIDF as real phones and proxies send it (RFC 3863, RFC 4479, RFC 4480) → canonical presence. */
class Rfc3863PidfReaderTest {
    private static final String OPEN = "<presence xmlns='urn:ietf:params:xml:ns:pidf'"
            + " xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model' xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid'"
            + " entity='sip:erin@sip.test'>";

    static Stream<Arguments> samples() {
        return Stream.of(
                Arguments.of("baresip pubint: open + empty activities",
                        OPEN + "<tuple id='t1'><status><basic>open</basic></status></tuple>"
                                + "<dm:person id='p1'><rpid:activities/></dm:person></presence>",
                        SipPresence.of(Presence.AVAILABLE)),
                Arguments.of("baresip pubint: closed",
                        OPEN + "<tuple id='t1'><status><basic>closed</basic></status></tuple></presence>",
                        SipPresence.of(Presence.OFFLINE)),
                Arguments.of("Linphone do not disturb: closed + busy + note",
                        OPEN + "<tuple id='t1'><status><basic>closed</basic></status></tuple>"
                                + "<dm:person id='p1'><rpid:activities><rpid:busy/></rpid:activities>"
                                + "<dm:note>Do not disturb</dm:note></dm:person></presence>",
                        SipPresence.of(Presence.DO_NOT_DISTURB, "Do not disturb")),
                Arguments.of("sipp PUBLISH: open + rpid:away + dm:note",
                        OPEN + "<tuple id='t1'><status><basic>open</basic></status></tuple>"
                                + "<dm:person id='p1'><rpid:activities><rpid:away/></rpid:activities>"
                                + "<dm:note>Away (from sipp)</dm:note></dm:person></presence>",
                        SipPresence.of(Presence.AWAY, "Away (from sipp)")),
                Arguments.of("notifier: open + on-the-phone",
                        OPEN + "<tuple id='t1'><status><basic>open</basic></status></tuple>"
                                + "<dm:person id='p1'><rpid:activities><rpid:on-the-phone/></rpid:activities>"
                                + "</dm:person></presence>",
                        SipPresence.of(Presence.ON_THE_PHONE)),
                Arguments.of("closed + on-the-phone (phone busy in a call, not registered for IM)",
                        OPEN + "<tuple id='t1'><status><basic>closed</basic></status></tuple>"
                                + "<dm:person id='p1'><rpid:activities><rpid:on-the-phone/></rpid:activities>"
                                + "</dm:person></presence>",
                        SipPresence.of(Presence.ON_THE_PHONE)),
                Arguments.of("pua_xmpp / sipp uac_publish: open + tuple note only",
                        "<?xml version='1.0' encoding='UTF-8'?><presence xmlns='urn:ietf:params:xml:ns:pidf'"
                                + " entity='sip:carol@sip.test'><tuple id='t1'><status><basic>open</basic></status>"
                                + "<note>Online via sipp</note></tuple></presence>",
                        SipPresence.of(Presence.AVAILABLE, "Online via sipp")),
                Arguments.of("other prefixes: namespaces decide, not prefixes",
                        "<p:presence xmlns:p='urn:ietf:params:xml:ns:pidf' xmlns:r='urn:ietf:params:xml:ns:pidf:rpid'"
                                + " xmlns:d='urn:ietf:params:xml:ns:pidf:data-model' entity='sip:x@y'>"
                                + "<p:tuple id='a'><p:status><p:basic>open</p:basic></p:status></p:tuple>"
                                + "<d:person id='b'><r:activities><r:busy/></r:activities></d:person></p:presence>",
                        SipPresence.of(Presence.DO_NOT_DISTURB)),
                Arguments.of("rpid:away in a foreign namespace is not an activity",
                        OPEN + "<tuple id='t1'><status><basic>open</basic></status></tuple>"
                                + "<dm:person id='p1' xmlns:x='urn:example'><rpid:activities><x:away/></rpid:activities>"
                                + "</dm:person></presence>",
                        SipPresence.of(Presence.AVAILABLE)),
                Arguments.of("activity inside the tuple (RPID allows it)",
                        OPEN + "<tuple id='t1'><status><basic>open</basic>"
                                + "<rpid:activities><rpid:meeting/></rpid:activities></status></tuple></presence>",
                        SipPresence.of(Presence.DO_NOT_DISTURB)),
                Arguments.of("meal is away-like",
                        activity("meal"), SipPresence.of(Presence.AWAY)),
                Arguments.of("vacation is extended away",
                        activity("vacation"), SipPresence.of(Presence.EXTENDED_AWAY)),
                Arguments.of("working and unknown say nothing against availability",
                        activity("working") .replace("<rpid:working/>", "<rpid:working/><rpid:unknown/>"),
                        SipPresence.of(Presence.AVAILABLE)),
                Arguments.of("rpid:other is away",
                        OPEN + "<tuple id='t1'><status><basic>open</basic></status></tuple><dm:person id='p1'>"
                                + "<rpid:activities><rpid:other>gardening</rpid:other></rpid:activities></dm:person></presence>",
                        SipPresence.of(Presence.AWAY)),
                Arguments.of("an activity newer than RFC 4480 is away",
                        activity("napping"), SipPresence.of(Presence.AWAY)),
                Arguments.of("busy outranks away in one person",
                        activity("away").replace("<rpid:away/>", "<rpid:away/><rpid:busy/>"),
                        SipPresence.of(Presence.DO_NOT_DISTURB)),
                Arguments.of("no tuple, person away",
                        OPEN + "<dm:person id='p1'><rpid:activities><rpid:away/></rpid:activities></dm:person></presence>",
                        SipPresence.of(Presence.AWAY)),
                Arguments.of("nothing at all is offline",
                        OPEN + "</presence>", SipPresence.of(Presence.OFFLINE)),
                Arguments.of("note on <presence> used when tuple and person have none",
                        OPEN + "<tuple id='t1'><status><basic>open</basic></status></tuple><note> lunch </note></presence>",
                        SipPresence.of(Presence.AVAILABLE, "lunch")),
                Arguments.of("escaped note and CDATA",
                        OPEN + "<tuple id='t1'><status><basic>open</basic></status>"
                                + "<note>a &amp; b <![CDATA[<c>]]></note></tuple></presence>",
                        SipPresence.of(Presence.AVAILABLE, "a & b <c>")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void reads(String name, String pidf, SipPresence expected) {
        assertEquals(expected, PidfReader.read(pidf.getBytes(StandardCharsets.UTF_8)), name);
    }

    @Test
    void mostAvailableTupleWinsAndBringsItsNote() {
        String pidf = OPEN
                + "<tuple id='desk'><status><basic>closed</basic></status><note>desk off</note></tuple>"
                + "<tuple id='mobile'><status><basic>open</basic></status><note>on my mobile</note></tuple>"
                + "<tuple id='pc'><status><basic>open</basic></status><note>pc</note></tuple></presence>";
        assertEquals(SipPresence.of(Presence.AVAILABLE, "on my mobile"), PidfReader.read(pidf.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void tupleActivitiesRankAmongTuples() {
        String pidf = OPEN
                + "<tuple id='a'><status><basic>open</basic><rpid:activities><rpid:busy/></rpid:activities></status></tuple>"
                + "<tuple id='b'><status><basic>open</basic><rpid:activities><rpid:away/></rpid:activities></status></tuple>"
                + "</presence>";
        // away ranks before do-not-disturb (RFC 6121 client ordering: away, xa, dnd)
        assertEquals(Presence.AWAY, PidfReader.read(pidf.getBytes(StandardCharsets.UTF_8)).presence());
    }

    @Test
    void longNoteIsCutAtTheLimit() {
        String pidf = OPEN + "<tuple id='t1'><status><basic>open</basic></status><note>" + "x".repeat(5000)
                + "</note></tuple></presence>";
        Optional<String> note = PidfReader.read(pidf.getBytes(StandardCharsets.UTF_8)).note();
        assertEquals(PidfReader.MAX_NOTE_CHARS, note.orElseThrow().length());
    }

    @Test
    void writerOutputSurvivesControlCharactersAndEmoji() {
        SipPresence s = SipPresence.of(Presence.AWAY, "tea \u0001\uD83C\uDF75 break\uD800");
        SipPresence back = PidfReader.read(PidfWriter.writeBytes("sip:a&b@x", s));
        assertEquals(SipPresence.of(Presence.AWAY, "tea \uD83C\uDF75 break"), back);
        assertTrue(PidfWriter.write("sip:a&b@x", s).contains("entity=\"sip:a&amp;b@x\""));
    }

    private static String activity(String name) {
        return OPEN + "<tuple id='t1'><status><basic>open</basic></status></tuple><dm:person id='p1'>"
                + "<rpid:activities><rpid:" + name + "/></rpid:activities></dm:person></presence>";
    }
}
