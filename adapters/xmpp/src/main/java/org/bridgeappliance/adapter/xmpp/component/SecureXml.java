package org.bridgeappliance.adapter.xmpp.component;

import java.io.Reader;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import javax.xml.XMLConstants;
import javax.xml.namespace.NamespaceContext;
import javax.xml.namespace.QName;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.util.StreamReaderDelegate;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;
import org.jivesoftware.smack.xml.stax.StaxXmlPullParser;

/**
 * Hardened XML parsing for the component stream: the JDK's StAX parser with DTDs, external entities
 * and entity replacement off, wrapped in Smack's {@link StaxXmlPullParser} so that Smack's
 * {@code PacketParserUtils} and providers parse every stanza.
 *
 * <p>Two things Smack's own factory cannot do are done here: (1) a {@code <!DOCTYPE>} or any entity
 * reference other than the five predefined ones is refused outright (RFC 6120 §11.1: XMPP streams
 * carry no DTDs; the stream answers with {@code restricted-xml}); (2) the component namespace
 * {@code jabber:component:accept} (XEP-0114) is reported as {@code jabber:client}, so that Smack's
 * body/subject/thread/error handling, written for client streams, applies unchanged.
 *
 * <p>Thread-safe: the factory is configured once and only used to create readers.
 */
public final class SecureXml {
    public static final String COMPONENT_NAMESPACE = "jabber:component:accept";
    public static final String CLIENT_NAMESPACE = "jabber:client";
    public static final String STREAM_NAMESPACE = "http://etherx.jabber.org/streams";

    private static final XMLInputFactory FACTORY = createFactory();
    private static final MethodHandle STAX_PARSER_CONSTRUCTOR = findStaxConstructor();

    private SecureXml() {
    }

    private static XMLInputFactory createFactory() {
        // newDefaultFactory: the JDK's implementation, whatever else is on the classpath, so the settings
        // below are known to be honoured.
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        factory.setProperty(XMLInputFactory.IS_VALIDATING, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        return factory;
    }

    private static MethodHandle findStaxConstructor() {
        // Smack 4.4's StaxXmlPullParser has only a package-private constructor and its factory owns a
        // static XMLInputFactory we cannot configure or wrap; the constructor is the one seam that lets
        // Smack's parser run over our hardened, namespace-mapping reader.
        try {
            var constructor = StaxXmlPullParser.class.getDeclaredConstructor(XMLStreamReader.class);
            constructor.setAccessible(true);
            return MethodHandles.lookup().unreflectConstructor(constructor)
                    .asType(MethodType.methodType(XmlPullParser.class, XMLStreamReader.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("Smack's StaxXmlPullParser is not usable: " + e);
        }
    }

    /** A Smack pull parser over {@code reader}, hardened as described on this class, without a depth limit. */
    public static XmlPullParser newParser(Reader reader) throws XmlPullParserException {
        return newParser(reader, new DepthLimit(Integer.MAX_VALUE));
    }

    /**
     * A Smack pull parser over {@code reader}, hardened as described on this class, that never shows elements
     * nested deeper than {@code limit} allows (see {@link DepthLimit}).
     */
    public static XmlPullParser newParser(Reader reader, DepthLimit limit) throws XmlPullParserException {
        try {
            XMLStreamReader raw = FACTORY.createXMLStreamReader(reader);
            return (XmlPullParser) STAX_PARSER_CONSTRUCTOR.invokeExact((XMLStreamReader) new GuardedReader(raw, limit));
        } catch (XMLStreamException e) {
            throw new XmlPullParserException(e);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * How deep elements may nest, counted from the document element (the stream header is depth 1, a stanza 2).
     * Smack's providers (e.g. {@code StandardExtensionElementProvider}) recurse once per level, so a few thousand
     * nested elements in a small stanza would overflow the reader thread's stack. Deeper elements are cut off
     * (skipped with a loop, never handed to Smack) and {@link #exceeded()} turns true, so the reader can refuse
     * the stanza with a stanza error while the stream itself stays well aligned and up.
     *
     * <p>Used by the one thread that reads the parser.
     */
    public static final class DepthLimit {
        private final int maxDepth;
        private boolean exceeded;

        public DepthLimit(int maxDepth) {
            if (maxDepth < 2) {
                throw new IllegalArgumentException("maxDepth must be at least 2");
            }
            this.maxDepth = maxDepth;
        }

        public int maxDepth() {
            return maxDepth;
        }

        /** True once an element deeper than the limit was cut off since the last {@link #reset()}. */
        public boolean exceeded() {
            return exceeded;
        }

        /** Called between top-level elements. */
        public void reset() {
            exceeded = false;
        }
    }

    /** Refused XML construct (a DTD or an entity reference). */
    public static final class RestrictedXmlException extends XMLStreamException {
        private static final long serialVersionUID = 1L;

        RestrictedXmlException(String message) {
            super(message);
        }
    }

    private static String mapNamespace(String ns) {
        return COMPONENT_NAMESPACE.equals(ns) ? CLIENT_NAMESPACE : ns;
    }

    /**
     * Refuses DTDs and entity references; reports the component namespace as the client namespace; cuts off
     * elements nested deeper than the {@link DepthLimit}. Every read goes through {@link #next()} (also
     * {@link #nextTag()} and {@link #getElementText()}, which the delegate would otherwise pass to the underlying
     * reader), so the depth count and the checks see every event.
     */
    private static final class GuardedReader extends StreamReaderDelegate {
        private final DepthLimit limit;
        private int depth;

        GuardedReader(XMLStreamReader reader, DepthLimit limit) {
            super(reader);
            this.limit = limit;
        }

        private int check(int event) throws XMLStreamException {
            if (event == XMLStreamConstants.DTD) {
                throw new RestrictedXmlException("DOCTYPE is not allowed in an XMPP stream");
            }
            if (event == XMLStreamConstants.ENTITY_REFERENCE || event == XMLStreamConstants.ENTITY_DECLARATION
                    || event == XMLStreamConstants.NOTATION_DECLARATION) {
                throw new RestrictedXmlException("entity references are not allowed in an XMPP stream");
            }
            if (event == XMLStreamConstants.PROCESSING_INSTRUCTION) {
                throw new RestrictedXmlException("processing instructions are not allowed in an XMPP stream");
            }
            return event;
        }

        @Override
        public int next() throws XMLStreamException {
            int event = check(super.next());
            while (event == XMLStreamConstants.START_ELEMENT && depth + 1 > limit.maxDepth) {
                limit.exceeded = true;
                skipElement();
                event = check(super.next());
            }
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
            return event;
        }

        /** From the start tag of an element to its end tag, in a loop: no recursion on remote input. */
        private void skipElement() throws XMLStreamException {
            int nested = 1;
            while (nested > 0) {
                int event = check(super.next());
                if (event == XMLStreamConstants.START_ELEMENT) {
                    nested++;
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    nested--;
                } else if (event == XMLStreamConstants.END_DOCUMENT) {
                    throw new XMLStreamException("document ended inside an element");
                }
            }
        }

        @Override
        public int nextTag() throws XMLStreamException {
            int event = next();
            while ((event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA
                    || event == XMLStreamConstants.SPACE) && isWhiteSpace() || event == XMLStreamConstants.COMMENT) {
                event = next();
            }
            if (event != XMLStreamConstants.START_ELEMENT && event != XMLStreamConstants.END_ELEMENT) {
                throw new XMLStreamException("expected a start or end tag");
            }
            return event;
        }

        @Override
        public String getElementText() throws XMLStreamException {
            if (getEventType() != XMLStreamConstants.START_ELEMENT) {
                throw new XMLStreamException("not on a start tag");
            }
            StringBuilder text = new StringBuilder();
            int event = next();
            while (event != XMLStreamConstants.END_ELEMENT) {
                if (event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA
                        || event == XMLStreamConstants.SPACE) {
                    text.append(getText());
                } else if (event == XMLStreamConstants.START_ELEMENT) {
                    throw new XMLStreamException("element text contains an element");
                } else if (event == XMLStreamConstants.END_DOCUMENT) {
                    throw new XMLStreamException("document ended inside an element");
                }
                event = next();
            }
            return text.toString();
        }

        @Override
        public String getNamespaceURI() {
            return mapNamespace(super.getNamespaceURI());
        }

        @Override
        public String getNamespaceURI(int index) {
            return mapNamespace(super.getNamespaceURI(index));
        }

        @Override
        public String getNamespaceURI(String prefix) {
            return mapNamespace(super.getNamespaceURI(prefix));
        }

        @Override
        public QName getName() {
            QName name = super.getName();
            String ns = name.getNamespaceURI();
            return COMPONENT_NAMESPACE.equals(ns) ? new QName(CLIENT_NAMESPACE, name.getLocalPart(), name.getPrefix())
                    : name;
        }

        @Override
        public NamespaceContext getNamespaceContext() {
            NamespaceContext context = super.getNamespaceContext();
            return new NamespaceContext() {
                @Override
                public String getNamespaceURI(String prefix) {
                    return mapNamespace(context.getNamespaceURI(prefix));
                }

                @Override
                public String getPrefix(String namespaceUri) {
                    return context.getPrefix(namespaceUri);
                }

                @Override
                public java.util.Iterator<String> getPrefixes(String namespaceUri) {
                    return context.getPrefixes(namespaceUri);
                }
            };
        }
    }
}
