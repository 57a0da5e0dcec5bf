package org.bridgeappliance.it.bridge;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * Reads XEP payloads of received stanzas from their XML (the test JVM registers none of the bridge's providers, so
 * the same stanza is read the way any client would read it) and builds raw extension elements to send.
 */
final class Stanzas {
    static final String REPLY_NS = "urn:xmpp:reply:0";
    static final String FALLBACK_NS = "urn:xmpp:fallback:0";
    static final String REACTIONS_NS = "urn:xmpp:reactions:0";
    static final String RETRACT_NS = "urn:xmpp:message-retract:1";
    static final String CORRECT_NS = "urn:xmpp:message-correct:0";
    static final String MARKERS_NS = "urn:xmpp:chat-markers:0";
    static final String CHATSTATES_NS = "http://jabber.org/protocol/chatstates";
    static final String OOB_NS = "jabber:x:oob";
    static final String SID_NS = "urn:xmpp:sid:0";

    private Stanzas() {
    }

    /** A child element of a stanza in the XML as received. */
    record El(String name, String ns, Map<String, String> attrs, String text, List<El> children) {
        String attr(String n) {
            return attrs.get(n);
        }

        Optional<El> child(String n) {
            return children.stream().filter(c -> c.name().equals(n)).findFirst();
        }
    }

    /** Direct children of the stanza named {@code name} in namespace {@code ns}. */
    static List<El> elements(Message m, String name, String ns) {
        Element root = parse(m.toXML().toString());
        List<El> out = new ArrayList<>();
        NodeList kids = root.getChildNodes();
        for (int i = 0; i < kids.getLength(); i++) {
            if (kids.item(i) instanceof Element e && name.equals(e.getLocalName()) && ns.equals(e.getNamespaceURI())) {
                out.add(el(e));
            }
        }
        return out;
    }

    static Optional<El> element(Message m, String name, String ns) {
        return elements(m, name, ns).stream().findFirst();
    }

    /** The XEP-0359 stanza-id that {@code by} (the MUC or the user's server) gave the message. */
    static String stanzaId(Message m, String by) {
        return elements(m, "stanza-id", SID_NS).stream().filter(e -> by.equals(e.attr("by"))).map(e -> e.attr("id"))
            .findFirst().orElseThrow(() -> new AssertionError("no stanza-id by " + by + " in " + m.toXML()));
    }

    /** The body without the XEP-0428 fallback ranges declared for {@code forNs} (code points). */
    static String bodyWithoutFallback(Message m, String forNs) {
        String body = m.getBody() == null ? "" : m.getBody();
        List<int[]> ranges = new ArrayList<>();
        for (El f : elements(m, "fallback", FALLBACK_NS)) {
            if (!forNs.equals(f.attr("for"))) {
                continue;
            }
            boolean any = false;
            for (El b : f.children()) {
                if (b.name().equals("body")) {
                    any = true;
                    int start = b.attr("start") == null ? 0 : Integer.parseInt(b.attr("start"));
                    int end = b.attr("end") == null ? body.codePointCount(0, body.length()) : Integer.parseInt(b.attr("end"));
                    ranges.add(new int[] {start, end});
                }
            }
            if (!any) {
                return "";
            }
        }
        int[] cps = body.codePoints().toArray();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < cps.length; i++) {
            final int idx = i;
            if (ranges.stream().noneMatch(r -> idx >= r[0] && idx < r[1])) {
                out.appendCodePoint(cps[i]);
            }
        }
        return out.toString();
    }

    static StandardExtensionElement.Builder ext(String name, String ns) {
        return StandardExtensionElement.builder(name, ns);
    }

    private static El el(Element e) {
        Map<String, String> attrs = new LinkedHashMap<>();
        NamedNodeMap a = e.getAttributes();
        for (int i = 0; i < a.getLength(); i++) {
            Node n = a.item(i);
            if (!n.getNodeName().startsWith("xmlns")) {
                attrs.put(n.getLocalName() == null ? n.getNodeName() : n.getLocalName(), n.getNodeValue());
            }
        }
        List<El> children = new ArrayList<>();
        NodeList kids = e.getChildNodes();
        for (int i = 0; i < kids.getLength(); i++) {
            if (kids.item(i) instanceof Element c) {
                children.add(el(c));
            }
        }
        return new El(e.getLocalName(), e.getNamespaceURI(), attrs, e.getTextContent(), children);
    }

    private static Element parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            return b.parse(new InputSource(new StringReader(xml))).getDocumentElement();
        } catch (Exception e) {
            throw new AssertionError("unparseable stanza " + xml, e);
        }
    }
}
