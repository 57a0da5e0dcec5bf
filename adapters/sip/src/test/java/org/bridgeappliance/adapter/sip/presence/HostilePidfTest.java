package org.bridgeappliance.adapter.sip.presence;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Hostile or broken PIDF bodies: each one is refused with a {@link PidfException} saying why. */
class HostilePidfTest {
    private static final String NS = "xmlns='urn:ietf:params:xml:ns:pidf'";

    @Test
    void doctypeWithExternalEntityIsRefused() {
        String xxe = "<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                + "<presence " + NS + " entity='sip:a@b'><tuple id='t'><status><basic>open</basic></status>"
                + "<note>&x;</note></tuple></presence>";
        assertRefused(xxe, "DTD");
    }

    @Test
    void billionLaughsIsRefused() {
        StringBuilder dtd = new StringBuilder("<?xml version='1.0'?><!DOCTYPE presence [<!ENTITY l0 'lol'>");
        for (int i = 1; i <= 9; i++) {
            dtd.append("<!ENTITY l").append(i).append(" '").append(("&l" + (i - 1) + ";").repeat(10)).append("'>");
        }
        dtd.append("]><presence ").append(NS).append(" entity='sip:a@b'><note>&l9;</note></presence>");
        assertRefused(dtd.toString(), "DTD");
    }

    @Test
    void externalDtdIsRefused() {
        assertRefused("<?xml version='1.0'?><!DOCTYPE presence SYSTEM 'http://127.0.0.1:1/x.dtd'>"
                + "<presence " + NS + " entity='sip:a@b'/>", "DTD");
    }

    @Test
    void hugeDocumentIsRefusedBeforeParsing() {
        String huge = "<presence " + NS + " entity='sip:a@b'><note>" + "x".repeat(PidfReader.MAX_BYTES)
                + "</note></presence>";
        assertRefused(huge, "exceeds");
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "<presence " + NS + " entity='sip:a@b'>" + "<x>".repeat(PidfReader.MAX_DEPTH)
                + "</x>".repeat(PidfReader.MAX_DEPTH) + "</presence>";
        assertRefused(deep, "deeper");
    }

    @Test
    void malformedIsRefused() {
        assertRefused("<presence " + NS + " entity='sip:a@b'><tuple id='t'><status><basic>open</basic>", "malformed");
    }

    @Test
    void undeclaredEntityIsRefused() {
        assertRefused("<presence " + NS + " entity='sip:a@b'><note>&foo;</note></presence>", "PIDF");
    }

    @Test
    void wrongRootOrNamespaceIsRefused() {
        assertRefused("<presence entity='sip:a@b'/>", "root");
        assertRefused("<html " + NS + "/>", "root");
    }

    @Test
    void emptyBodyIsRefused() {
        assertThrows(PidfException.class, () -> PidfReader.read(new byte[0]));
    }

    @Test
    void basicOtherThanOpenOrClosedIsRefused() {
        assertRefused("<presence " + NS + " entity='sip:a@b'><tuple id='t'><status><basic>maybe</basic></status>"
                + "</tuple></presence>", "open or closed");
    }

    private static void assertRefused(String body, String why) {
        PidfException e = assertThrows(PidfException.class,
                () -> PidfReader.read(body.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains(why), () -> "message '" + e.getMessage() + "' should say " + why);
    }
}
