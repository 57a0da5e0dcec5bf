package org.bridgeappliance.adapter.xmpp.address;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A reversible, case-safe escaping of arbitrary ids into JID localpart text.
 *
 * <p>Kept raw: {@code a-z 0-9 . _ = - +}. Everything else is written as {@code \xx} per UTF-8 byte,
 * lowercase hex. For the ten characters XEP-0106 covers (space {@code " & ' / : < > @ \}) this is
 * exactly XEP-0106's escaping, so clients that implement it show {@code @}, {@code /} and spaces
 * properly; uppercase letters ({@code A} becomes {@code \41}), {@code %} ({@code \25}, our
 * separator) and non-ASCII are escaped the same way because nodeprep would case-fold or normalise
 * them (matrix-bifrost #281/#303: uppercase ids broke joins and replies).
 *
 * <p>Pure and thread-safe.
 */
public final class JidEscaping {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JidEscaping() {
    }

    static boolean isRaw(int c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '=' || c == '-'
                || c == '+';
    }

    /** Escapes {@code value}; the result survives nodeprep unchanged. */
    public static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c < 0x80 && isRaw(c)) {
                out.append((char) c);
            } else {
                out.append('\\').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /**
     * Reverses {@link #escape}. Empty when {@code escaped} is not something {@code escape} produces
     * (a raw character outside the kept set, a broken escape, bytes that are not UTF-8), so that
     * foreign JIDs on the component domain never map to a wrong id.
     */
    public static Optional<String> unescape(String escaped) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(escaped.length());
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '\\') {
                if (i + 2 >= escaped.length()) {
                    return Optional.empty();
                }
                int hi = hex(escaped.charAt(i + 1));
                int lo = hex(escaped.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                int b = hi << 4 | lo;
                if (b < 0x80 && isRaw(b)) {
                    return Optional.empty(); // not canonical: escape() keeps these raw
                }
                bytes.write(b);
                i += 2;
            } else if (c < 0x80 && isRaw(c)) {
                bytes.write(c);
            } else {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }
}
