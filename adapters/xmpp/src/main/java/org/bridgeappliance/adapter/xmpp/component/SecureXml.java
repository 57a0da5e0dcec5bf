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

    /** A Smack pull parser over {@code reader}, hardened as described on this class. */
    public static XmlPullParser newParser(Reader reader) throws XmlPullParserException {
        try {
            XMLStreamReader raw = FACTORY.createXMLStreamReader(reader);
            return (XmlPullParser) STAX_PARSER_CONSTRUCTOR.invokeExact((XMLStreamReader) new GuardedReader(raw));
        } catch (XMLStreamException e) {
            throw new XmlPullParserException(e);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
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

    /** Refuses DTDs and entity references; reports the component namespace as the client namespace. */
    private static final class GuardedReader extends StreamReaderDelegate {
        GuardedReader(XMLStreamReader reader) {
            super(reader);
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
            return check(super.next());
        }

        @Override
        public int nextTag() throws XMLStreamException {
            return check(super.nextTag());
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
