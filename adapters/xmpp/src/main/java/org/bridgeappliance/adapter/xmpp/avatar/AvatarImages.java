package org.bridgeappliance.adapter.xmpp.avatar;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;

/**
 * Pure checks on avatar images taken from XMPP users' vCard-temp (XEP-0054): the image type by its
 * magic bytes, the size limit and the XEP-0153 SHA-1. The declared {@code TYPE} of a vCard photo is
 * not trusted: the bytes decide, so nothing but PNG, JPEG, GIF or WebP is ever published.
 */
public final class AvatarImages {
    /** The largest avatar accepted, from XMPP users and for puppets' avatars alike (512 KiB). */
    public static final int MAX_BYTES = 512 * 1024;
    // Base64 of MAX_BYTES plus generous room for line breaks; anything longer is refused before decoding.
    private static final int MAX_BASE64_CHARS = (MAX_BYTES / 3 + 1) * 4 * 2;
    private static final Pattern BINVAL = Pattern.compile("<BINVAL>([^<]*)</BINVAL>");

    private AvatarImages() {
    }

    /** A checked avatar: its bytes, the MIME type its magic bytes prove, and the SHA-1 (lowercase hex). */
    public record Image(byte[] bytes, String mimeType, String sha1) {
    }

    /** Why a vCard gave no avatar. */
    public enum Refusal { NO_PHOTO, TOO_LARGE, NOT_AN_IMAGE, MALFORMED }

    /** The avatar of a vCard, or why there is none. */
    public record Extracted(Optional<Image> image, Optional<Refusal> refusal) {
        static Extracted of(Image image) {
            return new Extracted(Optional.of(image), Optional.empty());
        }

        static Extracted refused(Refusal why) {
            return new Extracted(Optional.empty(), Optional.of(why));
        }
    }

    /**
     * The MIME type proven by the first bytes: PNG, JPEG, GIF (87a/89a) or WebP (RIFF....WEBP); empty for
     * anything else (SVG, HTML, executables), whatever a vCard's {@code TYPE} claims.
     */
    public static Optional<String> imageType(byte[] b) {
        if (b == null) {
            return Optional.empty();
        }
        if (starts(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of("image/png");
        }
        if (starts(b, 0, 0xFF, 0xD8, 0xFF)) {
            return Optional.of("image/jpeg");
        }
        if (starts(b, 0, 'G', 'I', 'F', '8', '7', 'a') || starts(b, 0, 'G', 'I', 'F', '8', '9', 'a')) {
            return Optional.of("image/gif");
        }
        if (starts(b, 0, 'R', 'I', 'F', 'F') && starts(b, 8, 'W', 'E', 'B', 'P')) {
            return Optional.of("image/webp");
        }
        return Optional.empty();
    }

    private static boolean starts(byte[] b, int offset, int... magic) {
        if (b.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[offset + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** SHA-1 of the bytes, lowercase hex: the XEP-0153 photo hash. */
    public static String sha1Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
    }

    /** Whether {@code s} looks like a XEP-0153 hash (40 hex digits). */
    public static boolean isSha1Hex(String s) {
        return s != null && s.length() == 40 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }

    /** Checks raw bytes: size limit, then magic bytes. */
    public static Extracted check(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return Extracted.refused(Refusal.NO_PHOTO);
        }
        if (bytes.length > MAX_BYTES) {
            return Extracted.refused(Refusal.TOO_LARGE);
        }
        Optional<String> type = imageType(bytes);
        if (type.isEmpty()) {
            return Extracted.refused(Refusal.NOT_AN_IMAGE);
        }
        return Extracted.of(new Image(bytes, type.get(), sha1Hex(bytes)));
    }

    /**
     * The avatar of a vCard-temp (XEP-0054 {@code PHOTO/BINVAL}). {@code EXTVAL} (a URL) is not followed: the
     * bridge fetches nothing a user names. Line-wrapped base64 (some clients wrap BINVAL) is accepted.
     */
    public static Extracted fromVCard(VCard vcard) {
        if (vcard == null) {
            return Extracted.refused(Refusal.NO_PHOTO);
        }
        byte[] bytes;
        try {
            bytes = vcard.getAvatar();
        } catch (RuntimeException e) {
            bytes = null; // Smack's strict decoder refuses wrapped base64: decoded below from the element's text
        }
        if (bytes == null) {
            Matcher m = BINVAL.matcher(vcard.toXML().toString());
            if (!m.find()) {
                return Extracted.refused(Refusal.NO_PHOTO);
            }
            String text = m.group(1);
            if (text.length() > MAX_BASE64_CHARS) {
                return Extracted.refused(Refusal.TOO_LARGE);
            }
            String compact = text.replaceAll("[\\s]|&#x[dDaA];|&#1[03];", "");
            if (compact.isEmpty()) {
                return Extracted.refused(Refusal.NO_PHOTO);
            }
            try {
                bytes = Base64.getDecoder().decode(compact);
            } catch (IllegalArgumentException e) {
                return Extracted.refused(Refusal.MALFORMED);
            }
        }
        return check(bytes);
    }
}
