package org.bridgeappliance.adapter.sip.convert;

import java.io.ByteArrayOutputStream;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Undoes a MESSAGE body's Content-Encoding (RFC 3261 §20.12) before its Content-Type is decoded. liblinphone
 * (Linphone, linphonec) sends its IMDN delivery notifications {@code Content-Encoding: deflate}; {@code identity}
 * and an absent header mean the body is as it is. Inflation stops at a size limit (a small deflated body can
 * expand a thousandfold).
 */
public final class ContentCoding {

    /** The codings {@link #decode} understands, for an Accept-Encoding header on 415. */
    public static final String ACCEPTED = "identity, deflate";

    /** What became of the body. */
    public sealed interface Result {
        /** The body as its Content-Type describes it. */
        record Decoded(byte[] body) implements Result {
        }

        /** A coding this side does not know (answered 415 with Accept-Encoding). */
        record Unsupported(String coding) implements Result {
        }

        /** Deflated data that does not inflate. */
        record Invalid(String reason) implements Result {
        }

        /** Inflated beyond {@code maxBytes}. */
        record TooLarge() implements Result {
        }
    }

    private ContentCoding() {
    }

    /**
     * @param coding   the Content-Encoding header value, or null when absent
     * @param maxBytes the largest decoded body accepted
     */
    public static Result decode(String coding, byte[] body, int maxBytes) {
        String c = coding == null ? "identity" : coding.strip().toLowerCase(Locale.ROOT);
        if (c.isEmpty() || c.equals("identity")) {
            return new Result.Decoded(body);
        }
        if (!c.equals("deflate")) {
            return new Result.Unsupported(c);
        }
        // "deflate" is the zlib format (RFC 1950); some senders send raw RFC 1951 data, accepted as well
        Result zlib = inflate(body, maxBytes, false);
        return zlib instanceof Result.Invalid ? inflate(body, maxBytes, true) : zlib;
    }

    private static Result inflate(byte[] body, int maxBytes, boolean raw) {
        Inflater inflater = new Inflater(raw);
        try {
            inflater.setInput(body);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return new Result.Invalid("truncated deflate body");
                }
                if (out.size() + n > maxBytes) {
                    return new Result.TooLarge();
                }
                out.write(buf, 0, n);
            }
            return new Result.Decoded(out.toByteArray());
        } catch (DataFormatException e) {
            return new Result.Invalid("bad deflate body");
        } finally {
            inflater.end();
        }
    }
}
