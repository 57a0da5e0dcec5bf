package org.bridgeappliance.adapter.xmpp.avatar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bridgeappliance.adapter.xmpp.ext.XmppExtensions;
import org.jivesoftware.smack.packet.Presence;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** XEP-0153 §3.2/§4.3: what a presence's {@code vcard-temp:x:update} says about the sender's avatar. */
class Xep0153PhotoHashTest {
    static final String HASH = "01b87fcd030b72895ff8e88db57ec525450f000d";

    @BeforeAll
    static void providers() {
        XmppExtensions.register();
    }

    static PhotoHint hint(String payload) {
        Presence p = AvatarFixtures.parse("<presence from='room@conference.xmpp.test/ava' to='matrix.xmpp.test/l'>"
                + payload + "</presence>");
        return PhotoHint.of(p);
    }

    @Test
    void aHashIsTheCurrentAvatar() {
        assertEquals(PhotoHint.hash(HASH), hint("<x xmlns='vcard-temp:x:update'><photo>" + HASH + "</photo></x>"));
        // Hex is case-insensitive; whitespace around it is not part of it.
        assertEquals(PhotoHint.hash(HASH), hint("<x xmlns='vcard-temp:x:update'><photo>\n " + HASH.toUpperCase()
                + " </photo></x>"));
    }

    @Test
    void anEmptyPhotoMeansNoAvatar() {
        assertEquals(PhotoHint.NONE, hint("<x xmlns='vcard-temp:x:update'><photo/></x>"));
        assertEquals(PhotoHint.NONE, hint("<x xmlns='vcard-temp:x:update'><photo></photo></x>"));
    }

    @Test
    void noPhotoElementOrNoUpdateElementIsUnknown() {
        assertEquals(PhotoHint.UNKNOWN, hint("<x xmlns='vcard-temp:x:update'/>"));
        assertEquals(PhotoHint.UNKNOWN, hint(""));
        assertEquals(PhotoHint.UNKNOWN, hint("<x xmlns='urn:example:other'><photo>" + HASH + "</photo></x>"));
    }

    @Test
    void aMalformedHashIsUnknownNotTrusted() {
        assertEquals(PhotoHint.UNKNOWN, hint("<x xmlns='vcard-temp:x:update'><photo>not-a-hash</photo></x>"));
        assertEquals(PhotoHint.UNKNOWN, hint("<x xmlns='vcard-temp:x:update'><photo>" + HASH + "00</photo></x>"));
    }
}
