package org.bridgeappliance.adapter.xmpp.avatar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.ext.XmppExtensions;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** XEP-0054 PHOTO: magic bytes decide the type, the size limit holds, the SHA-1 is XEP-0153's hash. */
class Xep0054VCardPhotoTest {
    static final byte[] PNG = AvatarFixtures.png(255, 0, 0);

    @BeforeAll
    static void providers() {
        XmppExtensions.register();
    }

    static VCard vcard(String photoXml) {
        return AvatarFixtures.parse("<iq type='result' id='v' from='ava@xmpp.test' to='matrix.xmpp.test'>"
                + "<vCard xmlns='vcard-temp'><FN>Ava</FN>" + photoXml + "</vCard></iq>");
    }

    @Test
    void magicBytesDecideTheType() {
        assertEquals(Optional.of("image/png"), AvatarImages.imageType(PNG));
        assertEquals(Optional.of("image/jpeg"), AvatarImages.imageType(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF,
                (byte) 0xE0, 0, 0x10}));
        assertEquals(Optional.of("image/gif"), AvatarImages.imageType("GIF89a\u0001\u0000".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(Optional.of("image/gif"), AvatarImages.imageType("GIF87a..".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(Optional.of("image/webp"), AvatarImages.imageType("RIFF\u0024\u0000\u0000\u0000WEBPVP8 "
                .getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(Optional.empty(), AvatarImages.imageType("<svg xmlns='http://www.w3.org/2000/svg'/>"
                .getBytes(StandardCharsets.UTF_8)), "SVG can carry scripts");
        assertEquals(Optional.empty(), AvatarImages.imageType("<html><script>".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), AvatarImages.imageType("RIFF\u0024\u0000\u0000\u0000WAVEfmt "
                .getBytes(StandardCharsets.ISO_8859_1)), "RIFF but not WebP");
        assertEquals(Optional.empty(), AvatarImages.imageType(Arrays.copyOf(PNG, 4)), "truncated signature");
        assertEquals(Optional.empty(), AvatarImages.imageType(new byte[0]));
    }

    @Test
    void aPhotoIsTakenWithItsSha1() {
        var extracted = AvatarImages.fromVCard(vcard("<PHOTO><TYPE>image/png</TYPE><BINVAL>"
                + Base64.getEncoder().encodeToString(PNG) + "</BINVAL></PHOTO>"));
        var image = extracted.image().orElseThrow();
        assertTrue(Arrays.equals(PNG, image.bytes()));
        assertEquals("image/png", image.mimeType());
        assertEquals(AvatarImages.sha1Hex(PNG), image.sha1());
        // A known vector: SHA-1("abc").
        assertEquals("a9993e364706816aba3e25717850c26c9cd0d89d", AvatarImages.sha1Hex("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theDeclaredTypeIsNotTrusted() {
        // A PNG declared as JPEG is served as what it is; HTML declared as an image is refused.
        assertEquals("image/png", AvatarImages.fromVCard(vcard("<PHOTO><TYPE>image/jpeg</TYPE><BINVAL>"
                + Base64.getEncoder().encodeToString(PNG) + "</BINVAL></PHOTO>")).image().orElseThrow().mimeType());
        var html = AvatarImages.fromVCard(vcard("<PHOTO><TYPE>image/png</TYPE><BINVAL>" + Base64.getEncoder()
                .encodeToString("<html><script>alert(1)</script>".getBytes(StandardCharsets.UTF_8)) + "</BINVAL></PHOTO>"));
        assertEquals(Optional.of(AvatarImages.Refusal.NOT_AN_IMAGE), html.refusal());
        assertTrue(html.image().isEmpty());
    }

    @Test
    void wrappedBase64IsAccepted() {
        String b64 = Base64.getMimeEncoder(16, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(PNG);
        assertTrue(b64.contains("\n"));
        var image = AvatarImages.fromVCard(vcard("<PHOTO><TYPE>image/png</TYPE><BINVAL>" + b64 + "</BINVAL></PHOTO>"))
                .image().orElseThrow();
        assertEquals(AvatarImages.sha1Hex(PNG), image.sha1());
    }

    @Test
    void theSizeLimitHolds() {
        byte[] big = Arrays.copyOf(PNG, AvatarImages.MAX_BYTES + 1);
        assertEquals(Optional.of(AvatarImages.Refusal.TOO_LARGE), AvatarImages.check(big).refusal());
        byte[] atLimit = Arrays.copyOf(PNG, AvatarImages.MAX_BYTES);
        assertTrue(AvatarImages.check(atLimit).image().isPresent(), "exactly the limit is fine");
        var fromVcard = AvatarImages.fromVCard(vcard("<PHOTO><TYPE>image/png</TYPE><BINVAL>"
                + Base64.getEncoder().encodeToString(big) + "</BINVAL></PHOTO>"));
        assertEquals(Optional.of(AvatarImages.Refusal.TOO_LARGE), fromVcard.refusal());
    }

    @Test
    void noPhotoExtvalAndGarbage() {
        assertEquals(Optional.of(AvatarImages.Refusal.NO_PHOTO), AvatarImages.fromVCard(vcard("")).refusal());
        // EXTVAL names a URL: the bridge fetches nothing a user points it at.
        assertEquals(Optional.of(AvatarImages.Refusal.NO_PHOTO), AvatarImages.fromVCard(vcard(
                "<PHOTO><EXTVAL>http://169.254.169.254/latest</EXTVAL></PHOTO>")).refusal());
        assertEquals(Optional.of(AvatarImages.Refusal.MALFORMED), AvatarImages.fromVCard(vcard(
                "<PHOTO><TYPE>image/png</TYPE><BINVAL>!!!not base64!!!</BINVAL></PHOTO>")).refusal());
    }
}
