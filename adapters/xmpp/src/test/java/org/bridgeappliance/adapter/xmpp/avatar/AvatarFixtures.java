package org.bridgeappliance.adapter.xmpp.avatar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.bridgeappliance.adapter.xmpp.convert.Stanzas;
import org.jivesoftware.smack.packet.Stanza;

/** Real images (built here, no binary fixtures) and stanza parsing through the component's own reader. */
final class AvatarFixtures {
    private AvatarFixtures() {
    }

    /** A valid 2x2 RGB PNG of one colour. */
    static byte[] png(int r, int g, int b) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (int y = 0; y < 2; y++) {
            raw.write(0);
            for (int x = 0; x < 2; x++) {
                raw.write(r);
                raw.write(g);
                raw.write(b);
            }
        }
        Deflater deflater = new Deflater();
        deflater.setInput(raw.toByteArray());
        deflater.finish();
        byte[] buf = new byte[256];
        int n = deflater.deflate(buf);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(out, "IHDR", new byte[] {0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0});
        chunk(out, "IDAT", java.util.Arrays.copyOf(buf, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(new byte[] {(byte) (data.length >>> 24), (byte) (data.length >>> 16), (byte) (data.length >>> 8),
                (byte) data.length});
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        long c = crc.getValue();
        out.writeBytes(new byte[] {(byte) (c >>> 24), (byte) (c >>> 16), (byte) (c >>> 8), (byte) c});
    }

    /** A vCard-temp IQ result (XEP-0054) with a PHOTO of {@code bytes} declared as {@code type}. */
    static String vcardResult(String id, String from, String to, byte[] bytes, String type) {
        String photo = bytes == null ? "" : "<PHOTO><TYPE>" + type + "</TYPE><BINVAL>"
                + Base64.getEncoder().encodeToString(bytes) + "</BINVAL></PHOTO>";
        return "<iq type='result' id='" + id + "' from='" + from + "' to='" + to + "'><vCard xmlns='vcard-temp'>"
                + "<NICKNAME>Ava</NICKNAME>" + photo + "</vCard></iq>";
    }

    /** Large enough for the biggest photo the tests send (base64 of 512 KiB and more). */
    static <S extends Stanza> S parse(String xml) {
        return Stanzas.parse(xml, 4 << 20);
    }
}
