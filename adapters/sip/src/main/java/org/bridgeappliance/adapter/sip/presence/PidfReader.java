package org.bridgeappliance.adapter.sip.presence;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.bridgeappliance.core.model.Presence;

/**
 * PIDF (RFC 3863) with RPID (RFC 4480) → canonical presence: the body of the NOTIFYs the proxy sends for the
 * phones the appliance watches, and of PUBLISHes. Pure and thread-safe; the mapping is the table in
 * {@code adapters/sip/README.md} ("Presence").
 *
 * <p>Hostile input is refused with a {@link PidfException} before it costs anything: bodies over
 * {@link #MAX_BYTES}, any DTD (so no external entities and no entity expansion, the billion-laughs case),
 * elements nested deeper than {@link #MAX_DEPTH}, documents that are not well-formed or whose root is not
 * {@code <presence>} in the PIDF namespace. The parser is a streaming StAX reader, so depth is checked while
 * reading, before a tree is built. Parsing is namespace-aware: any prefix bound to the RPID namespace works.
 *
 * <p>Rules (the full table is in adapters/sip/README.md, "Presence"):
 * <ul>
 *   <li>each tuple gets a state from its {@code <basic>} and the activities of the tuple and of the
 *       {@code <dm:person>} elements; {@code closed} is offline unless busy-like (Linphone's do-not-disturb is
 *       {@code closed}+{@code busy}) or on the phone; a tuple without {@code <basic>} counts as open;</li>
 *   <li>several tuples: the most available one wins, in the order available, on the phone, away, extended
 *       away, do not disturb, offline (XMPP clients rank resources the same way, RFC 6121 §4.7.2.1); a tie
 *       goes to the first in the document;</li>
 *   <li>no tuple at all: the person's activities decide as if open; nothing at all is offline;</li>
 *   <li>the note is the winning tuple's {@code <note>}, else the person's {@code <dm:note>}, else a
 *       {@code <note>} of {@code <presence>}; trimmed, at most {@link #MAX_NOTE_CHARS} characters.</li>
 * </ul>
 *
 * <p>Wiring: the adapter calls {@link #read} on the Jain-SIP listener thread that received the NOTIFY or
 * PUBLISH ({@code SipListener.processRequest}), only for Content-Type {@code application/pidf+xml} with a
 * non-empty body (a bodiless NOTIFY means "unknown"), and answers 400 when it throws.
 */
public final class PidfReader {
    /** Larger than any real PIDF seen (Linphone's are under 2 KiB), small enough to be harmless. */
    public static final int MAX_BYTES = 16 * 1024;
    /** PIDF nests about six deep ({@code presence/tuple/status/rpid:activities/rpid:away}); extensions a bit more. */
    public static final int MAX_DEPTH = 16;
    public static final int MAX_NOTE_CHARS = 1024;

    /** Availability rank used to pick among tuples; lower is more available. */
    private static final List<Presence> RANK = List.of(Presence.AVAILABLE, Presence.ON_THE_PHONE, Presence.AWAY,
            Presence.EXTENDED_AWAY, Presence.DO_NOT_DISTURB, Presence.OFFLINE);

    /** RFC 4480 §3.2 activities, by what they say about reaching the person. Unlisted RPID ones are away-like. */
    private static final Map<String, Presence> ACTIVITIES = Map.ofEntries(
            Map.entry("working", Presence.AVAILABLE),
            Map.entry("unknown", Presence.AVAILABLE),
            Map.entry("on-the-phone", Presence.ON_THE_PHONE),
            Map.entry("busy", Presence.DO_NOT_DISTURB),
            Map.entry("meeting", Presence.DO_NOT_DISTURB),
            Map.entry("presentation", Presence.DO_NOT_DISTURB),
            Map.entry("performance", Presence.DO_NOT_DISTURB),
            Map.entry("worship", Presence.DO_NOT_DISTURB),
            Map.entry("steering", Presence.DO_NOT_DISTURB),
            Map.entry("away", Presence.AWAY),
            Map.entry("appointment", Presence.AWAY),
            Map.entry("breakfast", Presence.AWAY),
            Map.entry("dinner", Presence.AWAY),
            Map.entry("meal", Presence.AWAY),
            Map.entry("in-transit", Presence.AWAY),
            Map.entry("shopping", Presence.AWAY),
            Map.entry("spectator", Presence.AWAY),
            Map.entry("tv", Presence.AWAY),
            Map.entry("playing", Presence.AWAY),
            Map.entry("holiday", Presence.EXTENDED_AWAY),
            Map.entry("vacation", Presence.EXTENDED_AWAY),
            Map.entry("travel", Presence.EXTENDED_AWAY),
            Map.entry("sleeping", Presence.EXTENDED_AWAY),
            Map.entry("permanent-absence", Presence.EXTENDED_AWAY),
            Map.entry("looking-for-work", Presence.EXTENDED_AWAY));

    /** Within one tuple/person several activities may be listed; the most restrictive statement wins. */
    private static final List<Presence> ACTIVITY_PRECEDENCE = List.of(Presence.DO_NOT_DISTURB, Presence.ON_THE_PHONE,
            Presence.EXTENDED_AWAY, Presence.AWAY);

    private PidfReader() {
    }

    /**
     * @param body the request body, non-empty
     * @throws PidfException when the body is refused (the message says why; it never quotes the body)
     */
    public static SipPresence read(byte[] body) {
        if (body == null || body.length == 0) {
            throw new PidfException("empty PIDF body");
        }
        if (body.length > MAX_BYTES) {
            throw new PidfException("PIDF body of " + body.length + " bytes exceeds " + MAX_BYTES);
        }
        Doc doc = parse(body);
        return decide(doc);
    }

    private static SipPresence decide(Doc doc) {
        Set<Presence> personActs = doc.person.activities();
        Presence best = null;
        Part bestTuple = null;
        for (Part t : doc.tuples) {
            EnumSet<Presence> acts = EnumSet.noneOf(Presence.class);
            acts.addAll(t.activities());
            acts.addAll(personActs);
            boolean idle = t.idle || doc.person.idle;
            Presence p = t.basic == null || t.basic.equals("open") ? open(acts, idle) : closed(acts);
            if (best == null || RANK.indexOf(p) < RANK.indexOf(best)) {
                best = p;
                bestTuple = t;
            }
        }
        if (best == null) {
            best = personActs.isEmpty() && !doc.person.hasOther ? Presence.OFFLINE : open(personActs, doc.person.idle);
        }
        Optional<String> note = note(bestTuple == null ? null : bestTuple.note.toString());
        if (note.isEmpty()) {
            note = note(doc.person.note.toString());
        }
        if (note.isEmpty()) {
            note = note(doc.note.toString());
        }
        return new SipPresence(best, note);
    }

    private static Presence open(Set<Presence> acts, boolean idle) {
        for (Presence p : ACTIVITY_PRECEDENCE) {
            if (acts.contains(p)) {
                // RFC 4480 §3.8 user-input "idle" next to "away" marks extended away (what PidfWriter writes).
                return p == Presence.AWAY && idle ? Presence.EXTENDED_AWAY : p;
            }
        }
        return Presence.AVAILABLE;
    }

    private static Presence closed(Set<Presence> acts) {
        if (acts.contains(Presence.DO_NOT_DISTURB)) {
            return Presence.DO_NOT_DISTURB;
        }
        return acts.contains(Presence.ON_THE_PHONE) ? Presence.ON_THE_PHONE : Presence.OFFLINE;
    }

    private static Optional<String> note(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        String n = raw.strip();
        if (n.length() > MAX_NOTE_CHARS) {
            int end = Character.isHighSurrogate(n.charAt(MAX_NOTE_CHARS - 1)) ? MAX_NOTE_CHARS - 1 : MAX_NOTE_CHARS;
            n = n.substring(0, end);
        }
        return n.isEmpty() ? Optional.empty() : Optional.of(n);
    }

    /** What one tuple or the person elements said. */
    private static final class Part {
        String basic;
        final StringBuilder note = new StringBuilder();
        boolean noteSeen;
        final List<String> rpidActivities = new ArrayList<>();
        boolean hasOther;
        boolean idle;

        Set<Presence> activities() {
            EnumSet<Presence> s = EnumSet.noneOf(Presence.class);
            for (String a : rpidActivities) {
                // "other" and activities newer than RFC 4480 describe something the person does instead of
                // sitting at the device: away is the sensible reading (20 of RFC 4480's 25 are away-like).
                s.add(ACTIVITIES.getOrDefault(a, Presence.AWAY));
            }
            s.remove(Presence.AVAILABLE);
            return s;
        }
    }

    private static final class Doc {
        final List<Part> tuples = new ArrayList<>();
        final Part person = new Part();
        final StringBuilder note = new StringBuilder();
        boolean noteSeen;
    }

    private enum Text { NONE, BASIC, TUPLE_NOTE, PERSON_NOTE, PRESENCE_NOTE, USER_INPUT }

    private static Doc parse(byte[] body) {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setXMLResolver((publicId, systemId, baseUri, ns) -> {
            throw new XMLStreamException("external resource refused");
        });
        Doc doc = new Doc();
        XMLStreamReader r = null;
        try {
            r = f.createXMLStreamReader(new ByteArrayInputStream(body));
            int depth = 0;
            Part tuple = null;
            boolean inPerson = false;
            int activitiesDepth = -1;
            Text text = Text.NONE;
            int textDepth = -1;
            StringBuilder user = new StringBuilder();
            while (r.hasNext()) {
                int ev = r.next();
                switch (ev) {
                    case XMLStreamConstants.DTD ->
                            throw new PidfException("PIDF with a DTD refused (no DTDs, entities or external references)");
                    case XMLStreamConstants.ENTITY_REFERENCE ->
                            throw new PidfException("PIDF with an entity reference refused");
                    case XMLStreamConstants.START_ELEMENT -> {
                        depth++;
                        if (depth > MAX_DEPTH) {
                            throw new PidfException("PIDF nested deeper than " + MAX_DEPTH + " elements");
                        }
                        String ns = r.getNamespaceURI() == null ? "" : r.getNamespaceURI();
                        String name = r.getLocalName();
                        if (depth == 1) {
                            if (!Pidf.NS_PIDF.equals(ns) || !"presence".equals(name)) {
                                throw new PidfException("root element is not PIDF <presence> (RFC 3863)");
                            }
                        } else if (depth == 2) {
                            if (Pidf.NS_PIDF.equals(ns) && "tuple".equals(name)) {
                                tuple = new Part();
                                doc.tuples.add(tuple);
                            } else if ("person".equals(name) && isPidfFamily(ns)) {
                                inPerson = true;
                            } else if (Pidf.NS_PIDF.equals(ns) && "note".equals(name) && !doc.noteSeen) {
                                doc.noteSeen = true;
                                text = Text.PRESENCE_NOTE;
                                textDepth = depth;
                            }
                        } else {
                            Part part = tuple != null ? tuple : inPerson ? doc.person : null;
                            if (part == null) {
                                break;
                            }
                            if (activitiesDepth > 0 && depth == activitiesDepth + 1) {
                                if (Pidf.NS_RPID.equals(ns)) {
                                    part.rpidActivities.add(name);
                                } else {
                                    part.hasOther = true;
                                }
                            } else if (Pidf.NS_RPID.equals(ns) && "activities".equals(name) && activitiesDepth < 0) {
                                activitiesDepth = depth;
                            } else if (Pidf.NS_RPID.equals(ns) && "user-input".equals(name)) {
                                text = Text.USER_INPUT;
                                textDepth = depth;
                                user.setLength(0);
                            } else if (tuple != null && depth == 4 && Pidf.NS_PIDF.equals(ns) && "basic".equals(name)) {
                                text = Text.BASIC;
                                textDepth = depth;
                                tuple.basic = "";
                            } else if (depth == 3 && "note".equals(name) && !part.noteSeen
                                    && (Pidf.NS_PIDF.equals(ns) || Pidf.NS_DM.equals(ns))) {
                                part.noteSeen = true;
                                text = tuple != null ? Text.TUPLE_NOTE : Text.PERSON_NOTE;
                                textDepth = depth;
                            }
                        }
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                        switch (text) {
                            case BASIC -> tuple.basic = tuple.basic + r.getText();
                            case TUPLE_NOTE -> tuple.note.append(r.getText());
                            case PERSON_NOTE -> doc.person.note.append(r.getText());
                            case PRESENCE_NOTE -> doc.note.append(r.getText());
                            case USER_INPUT -> user.append(r.getText());
                            case NONE -> { }
                        }
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        if (depth == textDepth) {
                            if (text == Text.BASIC) {
                                tuple.basic = tuple.basic.strip();
                            } else if (text == Text.USER_INPUT && Pidf.USER_INPUT_IDLE.equals(user.toString().strip())) {
                                (tuple != null ? tuple : doc.person).idle = true;
                            }
                            text = Text.NONE;
                            textDepth = -1;
                        }
                        if (depth == activitiesDepth) {
                            activitiesDepth = -1;
                        }
                        if (depth == 2) {
                            tuple = null;
                            inPerson = false;
                        }
                        depth--;
                    }
                    default -> { }
                }
            }
            if (doc.tuples.stream().anyMatch(t -> t.basic != null && !t.basic.equals("open") && !t.basic.equals("closed"))) {
                throw new PidfException("PIDF <basic> must be open or closed (RFC 3863 §4.1.4)");
            }
            return doc;
        } catch (XMLStreamException | RuntimeException e) {
            if (e instanceof PidfException pe) {
                throw pe;
            }
            throw new PidfException("malformed PIDF: " + firstLine(e.getMessage()), e);
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing held beyond the byte array
                }
            }
        }
    }

    private static boolean isPidfFamily(String ns) {
        // RFC 4479 puts <person> in the data-model namespace; some older clients used the RPID or PIDF one.
        return Pidf.NS_DM.equals(ns) || Pidf.NS_RPID.equals(ns) || Pidf.NS_PIDF.equals(ns);
    }

    private static String firstLine(String m) {
        if (m == null) {
            return "not well-formed";
        }
        int nl = m.indexOf('\n');
        String s = nl < 0 ? m : m.substring(0, nl);
        return s.length() > 200 ? s.substring(0, 200) : s;
    }
}
