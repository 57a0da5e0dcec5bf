package org.bridgeappliance.adapter.xmpp.component;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.parsing.SmackParsingException;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.jivesoftware.smack.util.ParserUtils;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * Reads a component stream (XEP-0114) element by element: the server's stream header, the handshake
 * answer, then stanzas parsed by Smack's {@link PacketParserUtils} with all registered providers.
 *
 * <p>A stanza that is well-formed but that Smack cannot parse (bad JID, bad attribute, a provider
 * failure) is skipped and reported as {@link StreamElement.Unparseable}: the stream stays up. Anything
 * that breaks the XML stream itself (not well-formed XML, a DTD or entity reference, an element above
 * the size limit) ends it with a {@link StreamException} naming the stream error condition.
 *
 * <p>Elements nested more than {@link #MAX_NESTING} levels inside a stanza are never handed to Smack (whose
 * providers recurse once per level: a 28 KB stanza of 4,000 nested elements overflowed the reader thread's
 * stack); such a stanza is read to its end in a loop and reported as {@link StreamElement.Unparseable}, so the
 * sender gets a stanza error and the stream goes on.
 *
 * <p>Not thread-safe: used by one reader thread.
 */
public final class ComponentStreamReader {
    private static final String STREAMS_ERROR_NS = "urn:ietf:params:xml:ns:xmpp-streams";
    private static final int STANZA_DEPTH = 2;
    /**
     * Element levels allowed below a stanza's own element. Real stanzas stay far below (XHTML-IM with nested
     * lists and quotes, pubsub payloads: about 10); Smack's parsing uses a few hundred bytes of stack per level.
     */
    public static final int MAX_NESTING = 32;
    private static final XmlEnvironment STREAM_ENVIRONMENT =
            XmlEnvironment.builder().withNamespace(SecureXml.CLIENT_NAMESPACE).build();

    private final StanzaSizeLimiter limiter;
    private final XmlPullParser parser;
    private final SecureXml.DepthLimit depthLimit = new SecureXml.DepthLimit(STANZA_DEPTH + MAX_NESTING);

    /**
     * Creates the parser; may block until the first bytes arrive (the JDK parser reads the prolog
     * eagerly), so the component's own stream header must have been sent before.
     */
    public ComponentStreamReader(InputStream in, long maxStanzaBytes) throws StreamException {
        org.bridgeappliance.adapter.xmpp.ext.XmppExtensions.register();
        this.limiter = new StanzaSizeLimiter(in, maxStanzaBytes);
        try {
            this.parser = SecureXml.newParser(new InputStreamReader(limiter, StandardCharsets.UTF_8), depthLimit);
        } catch (XmlPullParserException e) {
            throw translate(e);
        }
    }

    /** Reads up to and including the server's {@code <stream:stream>} header. */
    public StreamElement.StreamOpened readHeader() throws StreamException {
        try {
            XmlPullParser.Event event = parser.getEventType();
            while (event != XmlPullParser.Event.START_ELEMENT) {
                if (event == XmlPullParser.Event.END_DOCUMENT) {
                    throw new StreamException("connection-timeout", "stream ended before its header");
                }
                event = parser.next();
            }
            if (!"stream".equals(parser.getName()) || !SecureXml.STREAM_NAMESPACE.equals(parser.getNamespace())) {
                throw new StreamException("invalid-namespace", "expected a stream header, got <" + parser.getName()
                        + " xmlns='" + parser.getNamespace() + "'>");
            }
            String id = parser.getAttributeValue("", "id");
            if (id == null || id.isEmpty()) {
                throw new StreamException("invalid-id", "stream header without an id");
            }
            limiter.elementBoundary();
            return new StreamElement.StreamOpened(id, Optional.ofNullable(parser.getAttributeValue("", "from")));
        } catch (XmlPullParserException | IOException e) {
            throw translate(e);
        }
    }

    /** Reads the next top-level element; blocks until one is complete. */
    public StreamElement next() throws StreamException {
        try {
            while (true) {
                XmlPullParser.Event event = parser.next();
                switch (event) {
                    case START_ELEMENT:
                        if (parser.getDepth() == STANZA_DEPTH) {
                            depthLimit.reset();
                            StreamElement element = readTopLevel();
                            if (element != null) {
                                limiter.elementBoundary();
                                return element;
                            }
                            limiter.elementBoundary();
                        }
                        break;
                    case END_ELEMENT:
                        if (parser.getDepth() <= 1) {
                            return new StreamElement.StreamClosed();
                        }
                        break;
                    case END_DOCUMENT:
                        return new StreamElement.StreamClosed();
                    default:
                        // Whitespace between stanzas is the server's keepalive (RFC 6120 §4.6.1).
                        if (parser.getDepth() <= 1) {
                            limiter.elementBoundary();
                        }
                        break;
                }
            }
        } catch (XmlPullParserException | IOException e) {
            throw translate(e);
        }
    }

    private StreamElement readTopLevel() throws XmlPullParserException, IOException {
        String name = parser.getName();
        String ns = parser.getNamespace();
        if (SecureXml.CLIENT_NAMESPACE.equals(ns)
                && ("message".equals(name) || "presence".equals(name) || "iq".equals(name))) {
            return readStanza(name);
        }
        if ("handshake".equals(name) && SecureXml.CLIENT_NAMESPACE.equals(ns)) {
            ParserUtils.forwardToEndTagOfDepth(parser, STANZA_DEPTH);
            return new StreamElement.HandshakeAccepted();
        }
        if ("error".equals(name) && SecureXml.STREAM_NAMESPACE.equals(ns)) {
            return readStreamError();
        }
        // Unknown top-level elements are skipped (RFC 6120 §4.9.3.20 allows an error, but being
        // lenient keeps the component up with servers that add their own elements).
        ParserUtils.forwardToEndTagOfDepth(parser, STANZA_DEPTH);
        return null;
    }

    private StreamElement readStanza(String kind) throws XmlPullParserException, IOException {
        StreamElement.StanzaHeader header = new StreamElement.StanzaHeader(kind,
                parser.getAttributeValue("", "from"), parser.getAttributeValue("", "to"),
                parser.getAttributeValue("", "id"), parser.getAttributeValue("", "type"));
        try {
            Stanza stanza = PacketParserUtils.parseStanza(parser, STREAM_ENVIRONMENT);
            if (depthLimit.exceeded()) {
                // Smack parsed what was left after the cut; the stanza is not what its sender meant: refuse it.
                return new StreamElement.Unparseable(header, refusal(""));
            }
            return new StreamElement.StanzaReceived(stanza);
        } catch (StackOverflowError e) {
            // Should not happen with the depth limit; if some provider still recurses too far, where the parser
            // stands is unknown, so the stream cannot go on (and the thread must survive to say so).
            throw new StreamException("policy-violation", "stanza too complex to parse", e);
        } catch (XmppStringprepException | SmackParsingException | IllegalArgumentException
                 | IllegalStateException | NullPointerException | ClassCastException e) {
            if (limiter.exceeded()) {
                throw translate(e);
            }
            // Smack threw inside a well-formed stanza: skip the rest of it and keep the stream.
            ParserUtils.forwardToEndTagOfDepth(parser, STANZA_DEPTH);
            return new StreamElement.Unparseable(header, refusal(e.getClass().getSimpleName() + ": " + e.getMessage()));
        } catch (XmlPullParserException e) {
            // Providers also throw XmlPullParserException for content they reject while the XML itself
            // is fine; the underlying StAX parser decides whether the stream can go on.
            if (limiter.exceeded() || isXmlBroken(e)) {
                throw e;
            }
            ParserUtils.forwardToEndTagOfDepth(parser, STANZA_DEPTH);
            return new StreamElement.Unparseable(header, refusal("XmlPullParserException: " + e.getMessage()));
        }
    }

    /** Why a stanza is refused: its nesting if that was cut off (the likelier cause of a failure), else {@code other}. */
    private String refusal(String other) {
        return depthLimit.exceeded() ? "elements nested deeper than " + MAX_NESTING + " levels" : other;
    }

    private static boolean isXmlBroken(XmlPullParserException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.xml.stream.XMLStreamException) {
                return true;
            }
        }
        return false;
    }

    private StreamElement readStreamError() throws XmlPullParserException, IOException {
        String condition = "undefined-condition";
        String text = null;
        while (true) {
            XmlPullParser.Event event = parser.next();
            if (event == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == STANZA_DEPTH) {
                break;
            }
            if (event == XmlPullParser.Event.START_ELEMENT && STREAMS_ERROR_NS.equals(parser.getNamespace())) {
                if ("text".equals(parser.getName())) {
                    text = parser.nextText();
                } else {
                    condition = parser.getName();
                }
            }
        }
        return new StreamElement.StreamErrorReceived(condition, Optional.ofNullable(text));
    }

    private StreamException translate(Exception e) {
        if (e instanceof StreamException se) {
            return se;
        }
        if (limiter.exceeded()) {
            return new StreamException("policy-violation",
                    "stanza larger than " + limiter.maxElementBytes() + " bytes", e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SecureXml.RestrictedXmlException) {
                return new StreamException("restricted-xml", t.getMessage(), e);
            }
        }
        if (e instanceof XmlPullParserException || e instanceof SmackParsingException) {
            return new StreamException("not-well-formed", String.valueOf(e.getMessage()), e);
        }
        return new StreamException("connection-timeout", "read failed: " + e.getMessage(), e);
    }
}
