package org.bridgeappliance.adapter.sip.presence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import org.bridgeappliance.core.model.Presence;

/**
 * Canonical presence → PIDF (RFC 3863) with RPID activities (RFC 4480), the body of the NOTIFYs the appliance
 * sends to phones watching a puppet. Pure and thread-safe; the mapping is the table in {@code adapters/sip/README.md} ("Presence").
 *
 * <p>The output is shaped for phones that do not parse XML: baresip ({@code subscriber.c}) finds
 * {@code <basic>open</basic>}, {@code <rpid:away/>}, {@code <rpid:busy/>} and {@code <rpid:on-the-phone/>} with
 * regular expressions, so {@code tuple}/{@code status}/{@code basic}/{@code note} are in the default namespace,
 * RPID elements always carry exactly the {@code rpid:} prefix and empty activity elements are written without a
 * space before {@code />}.
 *
 * <p>Wiring: the adapter calls {@link #write} on whichever thread builds a NOTIFY (the router's presence
 * delivery thread, or the Jain-SIP listener thread answering a SUBSCRIBE), and sends the result with
 * Content-Type exactly {@link #CONTENT_TYPE}; when the person's state is unknown it sends a NOTIFY without body
 * instead (RFC 6665 §4.2.2 allows it; baresip then shows "unknown").
 */
public final class PidfWriter {
    /** The Content-Type of a PIDF body; baresip compares the whole header value, so no parameters. */
    public static final String CONTENT_TYPE = "application/pidf+xml";

    private PidfWriter() {
    }

    /**
     * @param entity the presentity, the puppet's SIP URI ({@code sip:bob*xmpp.test@xmpp.D}); also the source of
     *               the tuple and person ids, which therefore stay the same across NOTIFYs (RFC 3863 §4.1.4)
     * @return the PIDF document, UTF-8 text
     */
    public static String write(String entity, SipPresence state) {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(state, "state");
        String id = idFor(entity);
        Presence p = state.presence();
        StringBuilder b = new StringBuilder(512);
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<presence xmlns=\"").append(Pidf.NS_PIDF)
                .append("\" xmlns:dm=\"").append(Pidf.NS_DM)
                .append("\" xmlns:rpid=\"").append(Pidf.NS_RPID)
                .append("\" entity=\"").append(escape(entity)).append("\">\n")
                .append("<tuple id=\"t").append(id).append("\"><status><basic>")
                .append(p == Presence.OFFLINE ? "closed" : "open")
                .append("</basic></status>");
        state.note().ifPresent(n -> b.append("<note>").append(escape(n)).append("</note>"));
        b.append("</tuple>\n");
        String activity = activity(p);
        if (activity != null) {
            b.append("<dm:person id=\"p").append(id).append("\"><rpid:activities><rpid:").append(activity)
                    .append("/></rpid:activities>");
            if (p == Presence.EXTENDED_AWAY) {
                b.append("<rpid:user-input>").append(Pidf.USER_INPUT_IDLE).append("</rpid:user-input>");
            }
            b.append("</dm:person>\n");
        }
        return b.append("</presence>\n").toString();
    }

    /** The UTF-8 bytes of {@link #write}, for a request body. */
    public static byte[] writeBytes(String entity, SipPresence state) {
        return write(entity, state).getBytes(StandardCharsets.UTF_8);
    }

    private static String activity(Presence p) {
        return switch (p) {
            case AWAY, EXTENDED_AWAY -> "away";
            case DO_NOT_DISTURB -> "busy";
            case ON_THE_PHONE -> "on-the-phone";
            case AVAILABLE, OFFLINE -> null;
        };
    }

    /** A stable XML ID (RFC 3863 requires one per tuple) from the URI, which itself may hold non-NCName characters. */
    private static String idFor(String entity) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(entity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }

    /**
     * Escapes markup characters and drops what XML 1.0 cannot carry at all (control characters other than
     * tab/CR/LF, U+FFFE/U+FFFF, unpaired surrogates), so any status text from XMPP or Matrix yields a
     * well-formed document.
     */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(c).append(s.charAt(++i));
                    } else if (c == '\t' || c == '\n' || c == '\r'
                            || (c >= 0x20 && c < 0xFFFE && !Character.isSurrogate(c))) {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
