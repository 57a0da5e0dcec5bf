package org.bridgeappliance.adapter.sip.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** Content-Encoding of inbound MESSAGE bodies: identity, deflate (as liblinphone sends its IMDNs), the rest 415. */
class ContentCodingTest {

    private static final String IMDN = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">"
            + "<message-id>abc</message-id><datetime>2026-12-03T17:23:27Z</datetime>"
            + "<delivery-notification><status><delivered/></status></delivery-notification></imdn>";

    private static byte[] deflate(byte[] data, boolean raw) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, raw);
        d.setInput(data);
        d.finish();
        byte[] buf = new byte[data.length + 64];
        int n = d.deflate(buf);
        d.end();
        return Arrays.copyOf(buf, n);
    }

    private static byte[] decoded(ContentCoding.Result r) {
        return assertInstanceOf(ContentCoding.Result.Decoded.class, r).body();
    }

    @Test
    void absentOrIdentityLeavesTheBody() {
        byte[] body = "héllo ✓".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(body, decoded(ContentCoding.decode(null, body, 100)));
        assertArrayEquals(body, decoded(ContentCoding.decode(" Identity ", body, 100)));
    }

    @Test
    void deflatedImdnInflatesToADisposition() {
        byte[] wire = deflate(IMDN.getBytes(StandardCharsets.UTF_8), false);
        byte[] body = decoded(ContentCoding.decode("deflate", wire, 4096));
        assertEquals(new InboundBody.Disposition("abc", false), SipInboundConverter.decode("message/imdn+xml", body));
    }

    @Test
    void rawDeflateIsAcceptedToo() {
        byte[] wire = deflate(IMDN.getBytes(StandardCharsets.UTF_8), true);
        assertEquals(IMDN, new String(decoded(ContentCoding.decode("DEFLATE", wire, 4096)), StandardCharsets.UTF_8));
    }

    @Test
    void otherCodingsAreUnsupported() {
        assertEquals(new ContentCoding.Result.Unsupported("gzip"), ContentCoding.decode("gzip", new byte[] {1}, 100));
        assertEquals(new ContentCoding.Result.Unsupported("deflate, gzip"),
                ContentCoding.decode("deflate, gzip", new byte[] {1}, 100));
    }

    @Test
    void garbageIsInvalidAndABombStopsAtTheLimit() {
        assertInstanceOf(ContentCoding.Result.Invalid.class,
                ContentCoding.decode("deflate", "not deflated".getBytes(StandardCharsets.UTF_8), 100));
        byte[] truncated = Arrays.copyOf(deflate(IMDN.getBytes(StandardCharsets.UTF_8), false), 20);
        assertInstanceOf(ContentCoding.Result.Invalid.class, ContentCoding.decode("deflate", truncated, 4096));
        byte[] bomb = deflate(new byte[1_000_000], false); // about 1 KB on the wire
        assertInstanceOf(ContentCoding.Result.TooLarge.class, ContentCoding.decode("deflate", bomb, 65_536));
    }
}
