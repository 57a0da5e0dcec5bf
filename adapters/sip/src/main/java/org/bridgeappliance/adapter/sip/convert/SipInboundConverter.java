package org.bridgeappliance.adapter.sip.convert;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Decodes the body of an inbound pager-mode MESSAGE (RFC 3428). Pure: bytes and a Content-Type in, an
 * {@link InboundBody} out; no Jain-SIP types, so it is tested with literal bodies.
 *
 * <ul>
 *   <li>{@code text/plain}: the {@code charset} parameter, UTF-8 when absent (baresip sends none);
 *       UTF-8, US-ASCII, ISO-8859-1 and windows-1252 are known. Bytes that are not valid in the charset
 *       become U+FFFD; control characters other than tab and line breaks are removed (they would break
 *       an XMPP stream), so a bad body still arrives readable rather than being lost.</li>
 *   <li>{@code message/cpim} (RFC 3862): headers, a blank line, MIME headers, a blank line, the content,
 *       which is decoded again (one level: CPIM inside CPIM is invalid); {@code imdn.Message-ID} kept.</li>
 *   <li>{@code message/imdn+xml} (RFC 5438) and {@code application/im-iscomposing+xml} (RFC 3994): parsed
 *       with DTDs and external entities off.</li>
 * </ul>
 */
public final class SipInboundConverter {
    /** The value of the {@code Accept} header of a 415. */
    public static final String ACCEPT = "text/plain, message/cpim, message/imdn+xml, application/im-iscomposing+xml";
    private static final int MAX_CPIM_HEADER_LINES = 64;

    private SipInboundConverter() {
    }

    /**
     * @param contentType the Content-Type header value ({@code text/plain;charset=UTF-8}), or null when absent
     *                    (RFC 3261 §20.15: then there is no body; an empty body is treated as empty text)
     */
    public static InboundBody decode(String contentType, byte[] body) {
        return decode(contentType, body, true);
    }

    private static InboundBody decode(String contentType, byte[] body, boolean allowCpim) {
        MediaType type = MediaType.parse(contentType == null ? "text/plain" : contentType);
        switch (type.essence()) {
            case "text/plain":
                return type.charset().map(cs -> (InboundBody) new InboundBody.Text(text(body, cs), Optional.empty()))
                        .orElseGet(() -> new InboundBody.Invalid("unknown charset"));
            case "message/cpim":
                return allowCpim ? cpim(body) : new InboundBody.Invalid("CPIM nested in CPIM");
            case "message/imdn+xml":
                return imdn(body);
            case "application/im-iscomposing+xml":
                return composing(body);
            default:
                return new InboundBody.Unsupported(type.essence());
        }
    }

    /** Decodes {@code body} leniently and removes control characters except TAB, LF and CR. */
    static String text(byte[] body, Charset charset) {
        CharsetDecoder decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        String s;
        try {
            s = decoder.decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("REPLACE decoders do not throw", e);
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0))) {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static InboundBody cpim(byte[] body) {
        // Part 1: the message headers (RFC 3862 §3); part 2: the MIME headers of the content; each ends at an empty line.
        java.util.Map<String, String> message = new java.util.HashMap<>();
        int pos = headers(body, 0, message);
        java.util.Map<String, String> mime = new java.util.HashMap<>();
        pos = pos < 0 ? -1 : headers(body, pos, mime);
        if (pos < 0) {
            return new InboundBody.Invalid("CPIM headers not terminated");
        }
        Optional<String> messageId = Optional.ofNullable(message.get("imdn.message-id"))
                .filter(v -> !v.isEmpty() && v.length() <= 256);
        byte[] content = Arrays.copyOfRange(body, pos, body.length);
        InboundBody inner = decode(mime.getOrDefault("content-type", "text/plain"), content, false);
        if (inner instanceof InboundBody.Text t) {
            // RFC 5438 §6: "positive-delivery" among the comma-separated notifications asked for
            boolean wantsDelivery = Arrays.stream(message.getOrDefault("imdn.disposition-notification", "").split(","))
                    .anyMatch(n -> n.trim().equalsIgnoreCase("positive-delivery"));
            Optional<String> dateTime = Optional.ofNullable(message.get("datetime"))
                    .filter(v -> !v.isEmpty() && v.length() <= 64);
            return new InboundBody.Text(stripTrailingNewline(t.text()), messageId, messageId
                    .filter(id -> wantsDelivery).map(id -> new InboundBody.DeliveryRequest(id, dateTime)));
        }
        return inner;
    }

    /**
     * Reads {@code Name: value} lines from {@code pos} up to and including an empty line into {@code out} (names in
     * lower case, first occurrence wins).
     *
     * @return the position after the empty line, or -1 if there is none within {@value #MAX_CPIM_HEADER_LINES} lines
     */
    private static int headers(byte[] body, int pos, java.util.Map<String, String> out) {
        for (int lines = 0; lines <= MAX_CPIM_HEADER_LINES; lines++) {
            int eol = lineEnd(body, pos);
            if (eol < 0) {
                return -1;
            }
            String line = new String(body, pos, eol - pos, StandardCharsets.UTF_8);
            pos = next(body, eol);
            if (line.isEmpty()) {
                return pos;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.putIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return -1;
    }

    private static String stripTrailingNewline(String s) {
        return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s;
    }

    private static int lineEnd(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == '\n') {
                return i > from && b[i - 1] == '\r' ? i - 1 : i;
            }
        }
        return -1;
    }

    private static int next(byte[] b, int eol) {
        return b[eol] == '\r' ? eol + 2 : eol + 1;
    }

    private static InboundBody imdn(byte[] body) {
        Optional<Element> root = xml(body);
        if (root.isEmpty() || !"imdn".equals(root.get().getLocalName())) {
            return new InboundBody.Invalid("not an IMDN document");
        }
        String id = childText(root.get(), "message-id");
        if (id == null || id.isBlank() || id.length() > 256) {
            return new InboundBody.Invalid("IMDN without message-id");
        }
        boolean displayed = child(root.get(), "display-notification") != null;
        return new InboundBody.Disposition(id.trim(), displayed);
    }

    private static InboundBody composing(byte[] body) {
        Optional<Element> root = xml(body);
        if (root.isEmpty() || !"isComposing".equals(root.get().getLocalName())) {
            return new InboundBody.Invalid("not an isComposing document");
        }
        String state = childText(root.get(), "state");
        return new InboundBody.Composing(state != null && state.trim().equalsIgnoreCase("active"));
    }

    private static Optional<Element> xml(byte[] body) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            // No DTDs at all: XXE and billion-laughs bodies fail here (RFC 4475-style hostile input).
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            Document d = b.parse(new ByteArrayInputStream(body));
            return Optional.ofNullable(d.getDocumentElement());
        } catch (ParserConfigurationException | SAXException | IOException e) {
            return Optional.empty();
        }
    }

    private static Element child(Element parent, String localName) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && localName.equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    private static String childText(Element parent, String localName) {
        Element e = child(parent, localName);
        return e == null ? null : e.getTextContent();
    }

    /** A parsed Content-Type: lower-case {@code type/subtype} and the charset it names. */
    record MediaType(String essence, String charsetName) {
        static MediaType parse(String value) {
            String[] parts = value.split(";");
            String essence = parts[0].trim().toLowerCase(Locale.ROOT);
            String charset = null;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                int eq = p.indexOf('=');
                if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                    charset = p.substring(eq + 1).trim().replace("\"", "");
                }
            }
            return new MediaType(essence, charset);
        }

        /** The charset to decode with: UTF-8 when absent; empty when it is not one the bridge knows. */
        Optional<Charset> charset() {
            if (charsetName == null) {
                return Optional.of(StandardCharsets.UTF_8);
            }
            switch (charsetName.toLowerCase(Locale.ROOT)) {
                case "utf-8", "utf8":
                    return Optional.of(StandardCharsets.UTF_8);
                case "us-ascii", "ascii":
                    return Optional.of(StandardCharsets.US_ASCII);
                case "iso-8859-1", "latin1", "iso_8859-1":
                    return Optional.of(StandardCharsets.ISO_8859_1);
                case "windows-1252", "cp1252":
                    return Optional.of(Charset.forName("windows-1252"));
                default:
                    return Optional.empty();
            }
        }
    }
}
