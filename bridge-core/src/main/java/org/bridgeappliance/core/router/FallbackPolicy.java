package org.bridgeappliance.core.router;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.model.RoomInfoEvent;
import org.bridgeappliance.core.model.TypingEvent;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.port.Delivery.Reference;
import org.bridgeappliance.core.port.RoomCapabilities;

/**
 * Every capability fallback of the bridge, decided in this one place from the target room's
 * {@link RoomCapabilities}; no adapter special-cases another network. Pure: no I/O, no state.
 *
 * <table>
 * <caption>Decisions</caption>
 * <tr><th>Target lacks</th><th>Becomes</th></tr>
 * <tr><td>html</td><td>the plain version only</td></tr>
 * <tr><td>edits (or has no copy of the original)</td><td>a new message {@code "* <new text>"}, a reply to the
 *     original when replies are supported and the original has a copy there</td></tr>
 * <tr><td>replies (or has no copy of the answered message)</td><td>a quote {@code "> <author>: <first line>\n<text>"}
 *     when the router still knows the original's text; otherwise the text alone</td></tr>
 * <tr><td>reactions</td><td>a NOTICE {@code "<name> reacted <key> to \"<first words>\""} (without the words when the
 * router no longer knows the message) for an added reaction; a removal is
 *     skipped (a notice cannot be taken back)</td></tr>
 * <tr><td>retractions</td><td>a NOTICE {@code "<name> deleted a message"}: people there saw the message, so
 *     they learn it was withdrawn rather than silently keeping it</td></tr>
 * <tr><td>attachments</td><td>the attachment URLs appended to the body, one per line</td></tr>
 * <tr><td>typing / read markers</td><td>skipped</td></tr>
 * <tr><td>room for the body ({@code maxBodyBytes})</td><td>several messages, split by {@link BodySplitter};
 *     formatting (html) is dropped from split messages; an edit too long for one message becomes new messages</td></tr>
 * </table>
 *
 * Retractions, reactions and read markers referring to a message that has no copy on the target are
 * skipped: there is nothing there to act on.
 */
public final class FallbackPolicy {

    /** What the router still knows about a message being answered: for the quote fallback. */
    public record Quote(String authorDisplay, String firstLine) {
        public Quote {
            Objects.requireNonNull(authorDisplay, "authorDisplay");
            Objects.requireNonNull(firstLine, "firstLine");
        }
    }

    /**
     * One delivery to make: the event to hand the adapter and the target-network references that go into
     * {@link org.bridgeappliance.core.port.Delivery}.
     */
    public record Step(RoomEvent event, Optional<Reference> reference, Optional<Reference> replyTo) {
        public Step {
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(reference, "reference");
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }

    /** The steps for one target, in order; none (with a reason) when the event is skipped there. */
    public record Plan(List<Step> steps, Optional<String> skipReason) {
        public Plan {
            steps = List.copyOf(steps);
            Objects.requireNonNull(skipReason, "skipReason");
        }

        static Plan skip(String reason) {
            return new Plan(List.of(), Optional.of(reason));
        }

        static Plan of(List<Step> steps) {
            return new Plan(steps, Optional.empty());
        }

        public boolean skipped() {
            return steps.isEmpty();
        }
    }

    private FallbackPolicy() {
    }

    /**
     * Decides how {@code event} is delivered into a room with capabilities {@code caps}.
     *
     * @param reference for edits, retractions, reactions and read markers: the referred message's copy on the
     *                  target (for a reaction removal: the stored reaction's own id there); empty if it has none
     * @param replyTo   for a reply: the answered message's copy on the target; empty if it has none
     * @param quote     for a reply: the answered message's author and first line, when still known; for a reaction:
     *                  the reacted message's (a notice names its first words)
     */
    public static Plan plan(RoomEvent event, RoomCapabilities caps, Optional<Reference> reference,
                            Optional<Reference> replyTo, Optional<Quote> quote) {
        Objects.requireNonNull(caps, "caps");
        Objects.requireNonNull(event, "event");
        if (event instanceof MessageEvent m) {
            return Plan.of(message(m, caps, replyTo, quote));
        } else if (event instanceof EditEvent e) {
            return edit(e, caps, reference);
        } else if (event instanceof RetractionEvent r) {
            return retraction(r, caps, reference);
        } else if (event instanceof ReactionEvent r) {
            return reaction(r, caps, reference, quote);
        } else if (event instanceof TypingEvent t) {
            return caps.typing() ? single(t, Optional.empty()) : Plan.skip("no typing notifications");
        } else if (event instanceof ReadMarkerEvent r) {
            return !caps.readMarkers() ? Plan.skip("no read markers")
                    : reference.isEmpty() ? Plan.skip("read message has no copy there") : single(r, reference);
        } else if (event instanceof MembershipEvent || event instanceof RoomInfoEvent) {
            return single(event, Optional.empty());
        }
        throw new IllegalArgumentException("unknown room event " + event.getClass().getName());
    }

    /** The name a notice uses for the sender: their display name, else their id. */
    public static String displayName(RoomEvent event) {
        return event.meta().profile().displayName().orElse(event.sender().user().value());
    }

    private static Plan single(RoomEvent event, Optional<Reference> reference) {
        return Plan.of(List.of(new Step(event, reference, Optional.empty())));
    }

    private static Plan edit(EditEvent e, RoomCapabilities caps, Optional<Reference> reference) {
        boolean fits = BodySplitter.utf8Length(e.newBody().plain()) <= caps.maxBodyBytes()
                && (!caps.html() || e.newBody().html().map(BodySplitter::utf8Length).orElse(0) <= caps.maxBodyBytes());
        if (caps.edits() && reference.isPresent() && fits) {
            EditEvent out = caps.html() ? e : new EditEvent(e.meta(), e.target(), plainOnly(e.newBody()));
            return single(out, reference);
        }
        // XEP-0308-less or unknown there: "* new text", answering the original when the target can say so.
        MessageBody body = prefix(e.newBody(), "* ");
        Optional<Reference> reply = caps.replies() ? reference : Optional.empty();
        MessageEvent asMessage = new MessageEvent(e.meta(), MessageKind.TEXT, body, List.of(),
                reply.isPresent() ? Optional.of(e.target()) : Optional.empty());
        return Plan.of(message(asMessage, caps, reply, Optional.empty()));
    }

    private static Plan retraction(RetractionEvent r, RoomCapabilities caps, Optional<Reference> reference) {
        if (reference.isEmpty()) {
            return Plan.skip("retracted message has no copy there");
        }
        if (caps.retractions()) {
            return single(r, reference);
        }
        return Plan.of(List.of(notice(r, displayName(r) + " deleted a message", caps, reference)));
    }

    private static Plan reaction(ReactionEvent r, RoomCapabilities caps, Optional<Reference> reference,
                                 Optional<Quote> quote) {
        if (reference.isEmpty()) {
            return Plan.skip(r.added() ? "reacted message has no copy there" : "reaction has no copy there");
        }
        if (caps.reactions()) {
            return single(r, reference);
        }
        if (!r.added()) {
            return Plan.skip("no reactions: the notice of the reaction cannot be taken back");
        }
        String to = quote.map(q -> " to \"" + firstWords(q.firstLine()) + "\"").orElse("");
        return Plan.of(List.of(notice(r, displayName(r) + " reacted " + r.key() + to, caps, reference)));
    }

    /** The first words of a line for a notice: at most {@value #NOTICE_WORDS} characters, cut at a space, then "…". */
    static String firstWords(String line) {
        String one = line.strip();
        if (one.codePointCount(0, one.length()) <= NOTICE_WORDS) {
            return one;
        }
        String cut = one.substring(0, one.offsetByCodePoints(0, NOTICE_WORDS));
        int space = cut.lastIndexOf(' ');
        return (space > NOTICE_WORDS / 2 ? cut.substring(0, space) : cut).strip() + "…";
    }

    private static final int NOTICE_WORDS = 40;

    private static Step notice(RoomEvent cause, String text, RoomCapabilities caps, Optional<Reference> reference) {
        Optional<Reference> reply = caps.replies() ? reference : Optional.empty();
        MessageEvent notice = new MessageEvent(cause.meta(), MessageKind.NOTICE, MessageBody.plain(text), List.of(),
                Optional.empty());
        return new Step(notice, Optional.empty(), reply);
    }

    private static List<Step> message(MessageEvent m, RoomCapabilities caps, Optional<Reference> replyTo,
                                      Optional<Quote> quote) {
        MessageBody body = m.body();
        List<Attachment> attachments = m.attachments();
        Optional<RemoteMessageId> replyId = m.replyTo();
        Optional<Reference> replyRef = Optional.empty();
        if (replyId.isPresent()) {
            if (caps.replies() && replyTo.isPresent()) {
                replyRef = replyTo;
            } else {
                // No native reply possible there: quote the original (mautrix's and Matterbridge's fallback).
                replyId = Optional.empty();
                if (quote.isPresent()) {
                    body = quoted(body, quote.get());
                }
            }
        }
        if (!caps.attachments() && !attachments.isEmpty()) {
            body = withLinks(body, attachments);
            attachments = List.of();
        }
        if (!caps.html()) {
            body = plainOnly(body);
        }
        int max = caps.maxBodyBytes();
        boolean fits = BodySplitter.utf8Length(body.plain()) <= max
                && body.html().map(BodySplitter::utf8Length).orElse(0) <= max;
        if (fits) {
            MessageEvent out = new MessageEvent(m.meta(), m.kind(), body, attachments, replyId);
            return List.of(new Step(out.equals(m) ? m : out, Optional.empty(), replyRef));
        }
        List<String> parts = BodySplitter.split(body.plain(), max);
        List<Step> steps = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            boolean first = i == 0;
            MessageEvent part = new MessageEvent(m.meta(), m.kind(), MessageBody.plain(parts.get(i)),
                    first ? attachments : List.of(), first ? replyId : Optional.empty());
            steps.add(new Step(part, Optional.empty(), first ? replyRef : Optional.empty()));
        }
        return steps;
    }

    private static MessageBody plainOnly(MessageBody body) {
        return body.html().isEmpty() ? body : MessageBody.plain(body.plain());
    }

    private static MessageBody prefix(MessageBody body, String prefix) {
        return new MessageBody(prefix + body.plain(), body.html().map(h -> escapeHtml(prefix) + h));
    }

    private static MessageBody quoted(MessageBody body, Quote quote) {
        String line = "> " + quote.authorDisplay() + ": " + quote.firstLine() + "\n";
        return new MessageBody(line + body.plain(), body.html().map(h -> "<blockquote>"
                + escapeHtml(quote.authorDisplay()) + ": " + escapeHtml(quote.firstLine()) + "</blockquote>" + h));
    }

    private static MessageBody withLinks(MessageBody body, List<Attachment> attachments) {
        StringBuilder plain = new StringBuilder(body.plain());
        StringBuilder html = body.html().map(StringBuilder::new).orElse(null);
        for (Attachment a : attachments) {
            String uri = a.uri().toString();
            if (plain.length() > 0) {
                plain.append('\n');
            }
            plain.append(uri);
            if (html != null) {
                String escaped = escapeHtml(uri);
                html.append("<br><a href=\"").append(escaped).append("\">")
                        .append(escapeHtml(a.fileName().orElse(uri))).append("</a>");
            }
        }
        return new MessageBody(plain.toString(), Optional.ofNullable(html).map(StringBuilder::toString));
    }

    static String escapeHtml(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
