package org.bridgeappliance.adapter.xmpp.ext.reactions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bridgeappliance.adapter.xmpp.ext.base.NamedExtension;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.provider.ExtensionElementProvider;
import org.jivesoftware.smack.util.XmlStringBuilder;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;

/**
 * XEP-0444 Message Reactions: {@code <reactions id='…' xmlns='urn:xmpp:reactions:0'>} carrying the
 * sender's <em>complete</em> current set of reactions to one message (an empty set removes all).
 * Immutable.
 */
public final class ReactionsElement extends NamedExtension {
    public static final String NAMESPACE = "urn:xmpp:reactions:0";
    public static final String ELEMENT = "reactions";
    public static final javax.xml.namespace.QName QNAME = new javax.xml.namespace.QName(NAMESPACE, ELEMENT);
    /** XEP-0444 does not bound the set; we do, against hostile input. */
    public static final int MAX_REACTIONS = 64;
    public static final int MAX_REACTION_CHARS = 64;

    private final String id;
    private final Set<String> reactions;
    private final List<String> ordered;

    public ReactionsElement(String id, Set<String> reactions) {
        super(QNAME);
        this.id = Objects.requireNonNull(id, "id");
        this.reactions = Set.copyOf(reactions);
        this.ordered = List.copyOf(new LinkedHashSet<>(reactions));
    }

    public String getId() {
        return id;
    }

    /** The reactions, in document order, without duplicates. */
    public List<String> getReactions() {
        return ordered;
    }

    public Set<String> reactionSet() {
        return reactions;
    }

    public static ReactionsElement from(Message message) {
        return message.getExtension(ReactionsElement.class);
    }


    @Override
    public XmlStringBuilder toXML(XmlEnvironment enclosing) {
        XmlStringBuilder xml = new XmlStringBuilder(this, enclosing);
        xml.attribute("id", id);
        if (ordered.isEmpty()) {
            return xml.closeEmptyElement();
        }
        xml.rightAngleBracket();
        for (String r : ordered) {
            xml.element("reaction", r);
        }
        return xml.closeElement(this);
    }

    /** Parses {@code <reactions/>}; refuses sets or reactions beyond the limits. */
    public static final class Provider extends ExtensionElementProvider<ReactionsElement> {
        @Override
        public ReactionsElement parse(XmlPullParser parser, int initialDepth, XmlEnvironment env)
                throws XmlPullParserException, IOException {
            String id = parser.getAttributeValue("", "id");
            if (id == null || id.isEmpty()) {
                throw new XmlPullParserException("XEP-0444 <reactions/> without id");
            }
            List<String> reactions = new ArrayList<>();
            while (true) {
                XmlPullParser.Event event = parser.next();
                if (event == XmlPullParser.Event.START_ELEMENT && "reaction".equals(parser.getName())) {
                    String r = parser.nextText().strip();
                    if (r.length() > MAX_REACTION_CHARS || reactions.size() >= MAX_REACTIONS) {
                        throw new XmlPullParserException("XEP-0444 reaction set too large");
                    }
                    if (!r.isEmpty()) {
                        reactions.add(r);
                    }
                } else if (event == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == initialDepth) {
                    break;
                }
            }
            return new ReactionsElement(id, new LinkedHashSet<>(reactions));
        }
    }
}
