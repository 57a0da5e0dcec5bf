package org.bridgeappliance.adapter.xmpp.ext.fallback;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.ext.base.NamedExtension;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.provider.ExtensionElementProvider;
import org.jivesoftware.smack.util.XmlStringBuilder;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;

/**
 * XEP-0428 Fallback Indication (v0.2): {@code <fallback xmlns='urn:xmpp:fallback:0' for='…'>} with
 * optional {@code <body start='…' end='…'/>} ranges that mark the part of the body that only exists
 * for clients without the feature named by {@code for} (a XEP-0461 quote, a XEP-0424 notice).
 * Without ranges the whole body is fallback. Offsets count Unicode code points. Replaces Smack 4.4's
 * element, which predates {@code for}. Immutable.
 */
public final class FallbackElement extends NamedExtension {
    public static final String NAMESPACE = "urn:xmpp:fallback:0";
    public static final String ELEMENT = "fallback";
    public static final javax.xml.namespace.QName QNAME = new javax.xml.namespace.QName(NAMESPACE, ELEMENT);

    /** A code-point range [start, end) of the body. */
    public record Range(int start, int end) {
        public Range {
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("bad fallback range " + start + ".." + end);
            }
        }
    }

    private final String forNamespace;
    private final List<Range> bodyRanges;

    public FallbackElement(String forNamespace, List<Range> bodyRanges) {
        super(QNAME);
        this.forNamespace = forNamespace;
        this.bodyRanges = List.copyOf(bodyRanges);
    }

    public Optional<String> getFor() {
        return Optional.ofNullable(forNamespace);
    }

    /** Ranges of the body that are fallback; empty means the whole body. */
    public List<Range> getBodyRanges() {
        return bodyRanges;
    }

    public static List<FallbackElement> allFrom(Message message) {
        return message.getExtensions(FallbackElement.class);
    }

    /**
     * The body without every fallback range of the given features (or, for a fallback without
     * ranges, without the whole body).
     */
    public static String stripFallbacks(String body, List<FallbackElement> fallbacks, java.util.Set<String> features) {
        if (body == null) {
            return null;
        }
        int length = body.codePointCount(0, body.length());
        boolean[] drop = new boolean[length];
        for (FallbackElement f : fallbacks) {
            if (f.forNamespace != null && !features.contains(f.forNamespace)) {
                continue;
            }
            if (f.bodyRanges.isEmpty()) {
                return "";
            }
            for (Range r : f.bodyRanges) {
                for (int i = Math.min(r.start(), length); i < Math.min(r.end(), length); i++) {
                    drop[i] = true;
                }
            }
        }
        StringBuilder out = new StringBuilder(body.length());
        int index = 0;
        for (int offset = 0; offset < body.length(); ) {
            int cp = body.codePointAt(offset);
            if (!drop[index]) {
                out.appendCodePoint(cp);
            }
            offset += Character.charCount(cp);
            index++;
        }
        return out.toString();
    }


    @Override
    public XmlStringBuilder toXML(XmlEnvironment enclosing) {
        XmlStringBuilder xml = new XmlStringBuilder(this, enclosing);
        xml.optAttribute("for", forNamespace);
        if (bodyRanges.isEmpty()) {
            return xml.closeEmptyElement();
        }
        xml.rightAngleBracket();
        for (Range r : bodyRanges) {
            xml.halfOpenElement("body").attribute("start", r.start()).attribute("end", r.end()).closeEmptyElement();
        }
        return xml.closeElement(this);
    }

    public static final class Provider extends ExtensionElementProvider<FallbackElement> {
        @Override
        public FallbackElement parse(XmlPullParser parser, int initialDepth, XmlEnvironment env)
                throws XmlPullParserException, IOException {
            String forNs = parser.getAttributeValue("", "for");
            List<Range> ranges = new ArrayList<>();
            while (true) {
                XmlPullParser.Event event = parser.next();
                if (event == XmlPullParser.Event.START_ELEMENT && "body".equals(parser.getName())
                        && parser.getDepth() == initialDepth + 1) {
                    String start = parser.getAttributeValue("", "start");
                    String end = parser.getAttributeValue("", "end");
                    if (start != null && end != null && ranges.size() < 16) {
                        try {
                            ranges.add(new Range(Integer.parseInt(start), Integer.parseInt(end)));
                        } catch (IllegalArgumentException e) {
                            throw new XmlPullParserException("bad XEP-0428 range: " + start + ".." + end);
                        }
                    }
                } else if (event == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == initialDepth) {
                    break;
                }
            }
            return new FallbackElement(forNs, ranges);
        }
    }
}
