package org.bridgeappliance.adapter.xmpp.avatar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Signed, content-addressed avatar links: round trip, stability, forgery refusal, canonical JID escaping. */
class AvatarLinksTest {
    static final String SHA1 = "01b87fcd030b72895ff8e88db57ec525450f000d";
    static final String OTHER = "a9993e364706816aba3e25717850c26c9cd0d89d";
    final AvatarLinks links = new AvatarLinks("http://127.0.0.1:18480/", "component-secret");

    static String[] parts(URI link) {
        assertTrue(link.getPath().startsWith(AvatarLinks.PATH), link.toString());
        String[] parts = link.getPath().substring(AvatarLinks.PATH.length()).split("/");
        assertEquals(3, parts.length, link.toString());
        return parts;
    }

    @Test
    void linksRoundTripAndAreStable() {
        for (String jid : new String[] {"ava@xmpp.test", "room@conference.xmpp.test/Ava Lovelace",
                "room@conference.xmpp.test/Zoë ☕", "we~ird%x@xmpp.test"}) {
            URI link = links.link(jid, SHA1);
            assertTrue(link.toString().startsWith("http://127.0.0.1:18480/_bridge/xmpp/avatar/"), link.toString());
            String[] p = parts(link);
            assertTrue(p[0].matches("[A-Za-z0-9._@~-]+"), "one URL-safe path segment: " + p[0]);
            assertEquals(SHA1, p[1]);
            assertEquals(Optional.of(jid), links.verify(p[0], p[1], p[2]));
            // The same avatar of the same person has the same link, also in another process with the same secret.
            assertEquals(link, new AvatarLinks("http://127.0.0.1:18480", "component-secret").link(jid, SHA1));
        }
        assertEquals("room@conference.xmpp.test~2FAva~20Lovelace", AvatarLinks.escape("room@conference.xmpp.test/Ava Lovelace"));
    }

    @Test
    void forgedOrAlteredLinksAreRefused() {
        String[] p = parts(links.link("ava@xmpp.test", SHA1));
        assertEquals(Optional.empty(), links.verify(p[0], OTHER, p[2]), "another hash");
        assertEquals(Optional.empty(), links.verify(AvatarLinks.escape("eve@xmpp.test"), p[1], p[2]), "another person");
        assertEquals(Optional.empty(), links.verify(p[0], p[1], p[2].substring(1) + "A"), "altered signature");
        assertEquals(Optional.empty(), links.verify(p[0], p[1], ""), "no signature");
        String[] foreign = parts(new AvatarLinks("http://127.0.0.1:18480", "another-secret").link("ava@xmpp.test", SHA1));
        assertEquals(Optional.empty(), links.verify(foreign[0], foreign[1], foreign[2]), "signed under another secret");
        assertEquals(Optional.empty(), links.verify(p[0], SHA1.toUpperCase(), p[2]), "hash not in canonical form");
        assertEquals(Optional.empty(), links.verify(p[0], "../../etc/passwd", p[2]));
        assertThrows(IllegalArgumentException.class, () -> links.link("ava@xmpp.test", "xyz"));
    }

    @Test
    void onlyCanonicalEscapesDecode() {
        assertEquals(Optional.of("a/b"), AvatarLinks.unescape("a~2Fb"));
        assertEquals(Optional.empty(), AvatarLinks.unescape("a~2fb"), "lowercase hex is not what escape() writes");
        assertEquals(Optional.empty(), AvatarLinks.unescape("~61"), "an escaped plain character");
        assertEquals(Optional.empty(), AvatarLinks.unescape("a~2"), "truncated");
        assertEquals(Optional.empty(), AvatarLinks.unescape("a%2Fb"), "percent is not part of the alphabet");
        assertEquals(Optional.empty(), AvatarLinks.unescape("~FF"), "not UTF-8");
        assertEquals(Optional.empty(), AvatarLinks.unescape(""));
    }

    @Test
    void publicBaseUrlValidation() {
        assertEquals("", AvatarLinks.problems(""));
        assertEquals("", AvatarLinks.problems("https://bridge.example.org"));
        assertEquals("", AvatarLinks.problems("http://127.0.0.1:18480/"));
        assertFalse(AvatarLinks.problems("ftp://example.org").isEmpty());
        assertFalse(AvatarLinks.problems("bridge.example.org").isEmpty());
        assertFalse(AvatarLinks.problems("https://user:pw@example.org").isEmpty());
        assertNotEquals("", AvatarLinks.problems("https://example.org/?q=1"));
    }
}
