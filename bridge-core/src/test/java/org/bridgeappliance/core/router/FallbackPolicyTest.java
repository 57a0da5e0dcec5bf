package org.bridgeappliance.core.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.Delivery.Reference;
import org.bridgeappliance.core.port.RoomCapabilities;
import org.bridgeappliance.core.testing.TestEvents;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fallback decision, as a table: event × target capabilities × what the router knows → the plan,
 * rendered compactly ({@code Kind[TEXT] "body" html=... ref=... reply=...}, steps joined by " | ").
 */
class FallbackPolicyTest {
    private static final TestEvents ALICE = TestEvents.in(Portal.of("xmpp", "room@muc")).named("Alice");
    private static final Optional<Reference> REF = Optional.of(new Reference(List.of(RemoteMessageId.of("$orig")),
            UserRef.of("xmpp", "alice")));
    private static final Optional<Reference> NONE = Optional.empty();
    private static final Optional<FallbackPolicy.Quote> QUOTE = Optional.of(new FallbackPolicy.Quote("Bob",
            "what time?"));
    private static final RoomCapabilities FULL = RoomCapabilities.FULL;
    private static final RoomCapabilities PLAIN = RoomCapabilities.PLAIN_TEXT;

    /** FULL without one capability. */
    private static RoomCapabilities without(String what) {
        RoomCapabilities f = FULL;
        return new RoomCapabilities(!what.equals("html"), !what.equals("edits"), !what.equals("retractions"),
                !what.equals("reactions"), !what.equals("replies"), !what.equals("attachments"),
                !what.equals("typing"), !what.equals("readMarkers"), f.maxBodyBytes());
    }

    private static RoomCapabilities maxBytes(RoomCapabilities c, int max) {
        return new RoomCapabilities(c.html(), c.edits(), c.retractions(), c.reactions(), c.replies(), c.attachments(),
                c.typing(), c.readMarkers(), max);
    }

    static Stream<Arguments> table() {
        MessageEvent reply = ALICE.reply("m2", "m1", "at five");
        EditEvent edit = ALICE.edit("e1", "m1", "fixed");
        return Stream.of(
                // name, event, caps, reference, replyTo, quote, expected plan
                row("plain message, full room", ALICE.text("m1", "hi"), FULL, NONE, NONE, NONE,
                        "Message[TEXT] \"hi\""),
                row("html kept where supported", ALICE.html("m1", "hi", "<b>hi</b>"), FULL, NONE, NONE, NONE,
                        "Message[TEXT] \"hi\" html=<b>hi</b>"),
                row("html dropped where not", ALICE.html("m1", "hi", "<b>hi</b>"), without("html"), NONE, NONE, NONE,
                        "Message[TEXT] \"hi\""),
                row("native reply", reply, FULL, NONE, REF, QUOTE,
                        "Message[TEXT] \"at five\" replyTo=m1 reply=$orig"),
                row("no replies: quote", reply, without("replies"), NONE, REF, QUOTE,
                        "Message[TEXT] \"> Bob: what time?\\nat five\""),
                row("reply target has no copy there: quote", reply, FULL, NONE, NONE, QUOTE,
                        "Message[TEXT] \"> Bob: what time?\\nat five\""),
                row("no replies, text forgotten: plain", reply, without("replies"), NONE, REF, NONE,
                        "Message[TEXT] \"at five\""),
                row("native edit", edit, FULL, REF, NONE, NONE, "Edit \"fixed\" ref=$orig"),
                row("no edits: correction replying to original", edit, without("edits"), REF, NONE, NONE,
                        "Message[TEXT] \"* fixed\" replyTo=m1 reply=$orig"),
                row("no edits, no replies: bare correction", edit, PLAIN, REF, NONE, NONE,
                        "Message[TEXT] \"* fixed\""),
                row("edit of a message without copy there: new message", edit, FULL, NONE, NONE, NONE,
                        "Message[TEXT] \"* fixed\""),
                row("edit too long for one message: correction parts", ALICE.edit("e1", "m1", "aaaa ".repeat(20).strip()),
                        maxBytes(FULL, 64), REF, NONE, NONE,
                        "Message[TEXT] \"* aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa\" replyTo=m1 reply=$orig"
                                + " | Message[TEXT] \"aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa\""),
                row("native retraction", ALICE.retract("d1", "m1"), FULL, REF, NONE, NONE, "Retraction ref=$orig"),
                row("no retractions: notice", ALICE.retract("d1", "m1"), without("retractions"), REF, NONE, NONE,
                        "Message[NOTICE] \"Alice deleted a message\" reply=$orig"),
                row("no retractions nor replies: bare notice", ALICE.retract("d1", "m1"), PLAIN, REF, NONE, NONE,
                        "Message[NOTICE] \"Alice deleted a message\""),
                row("retraction without copy there: skipped", ALICE.retract("d1", "m1"), FULL, NONE, NONE, NONE,
                        "skip: retracted message has no copy there"),
                row("native reaction", ALICE.react("r1", "m1", "👍"), FULL, REF, NONE, NONE, "Reaction +👍 ref=$orig"),
                row("no reactions: notice", ALICE.react("r1", "m1", "👍"), PLAIN, REF, NONE, NONE,
                        "Message[NOTICE] \"Alice reacted 👍\""),
                row("no reactions: notice naming the message's first words (issue 11)", ALICE.react("r1", "m1", "👍"),
                        PLAIN, REF, NONE, Optional.of(new FallbackPolicy.Quote("Bob",
                                "shall we meet on Thursday afternoon at the usual place near the station")),
                        "Message[NOTICE] \"Alice reacted 👍 to \"shall we meet on Thursday afternoon at…\"\""),
                row("no reactions: removal skipped", ALICE.unreact("r2", "m1", "👍"), PLAIN, REF, NONE, NONE,
                        "skip: no reactions: the notice of the reaction cannot be taken back"),
                row("reaction removal", ALICE.unreact("r2", "m1", "👍"), FULL, REF, NONE, NONE,
                        "Reaction -👍 ref=$orig"),
                row("reaction to a message without copy: skipped", ALICE.react("r1", "m1", "👍"), FULL, NONE, NONE, NONE,
                        "skip: reacted message has no copy there"),
                row("no attachments: links appended", ALICE.withImage("m1", "look", "https://files.example/cat.png"),
                        PLAIN, NONE, NONE, NONE, "Message[TEXT] \"look\\nhttps://files.example/cat.png\""),
                row("attachments kept", ALICE.withImage("m1", "look", "https://files.example/cat.png"), FULL, NONE,
                        NONE, NONE, "Message[TEXT] \"look\" attachments=1"),
                row("typing", ALICE.typing(true), FULL, NONE, NONE, NONE, "Typing"),
                row("no typing: skipped", ALICE.typing(true), PLAIN, NONE, NONE, NONE,
                        "skip: no typing notifications"),
                row("read marker", ALICE.read("m1"), FULL, REF, NONE, NONE, "ReadMarker ref=$orig"),
                row("no read markers: skipped", ALICE.read("m1"), PLAIN, REF, NONE, NONE, "skip: no read markers"),
                row("long body split at whitespace", ALICE.text("m1", "word ".repeat(30).strip()), maxBytes(PLAIN, 64),
                        NONE, NONE, NONE,
                        "Message[TEXT] \"" + "word ".repeat(12).strip() + "\" | Message[TEXT] \""
                                + "word ".repeat(12).strip() + "\" | Message[TEXT] \"" + "word ".repeat(6).strip()
                                + "\""),
                row("split message drops html and keeps reply on first part",
                        new MessageEvent(ALICE.meta("m3"), org.bridgeappliance.core.model.MessageKind.TEXT,
                                org.bridgeappliance.core.model.MessageBody.html("x".repeat(70), "<i>" + "x".repeat(70)
                                        + "</i>"), List.of(), Optional.of(RemoteMessageId.of("m1"))),
                        maxBytes(FULL, 64), NONE, REF, NONE,
                        "Message[TEXT] \"" + "x".repeat(64) + "\" replyTo=m1 reply=$orig | Message[TEXT] \"xxxxxx\""));
    }

    private static Arguments row(String name, RoomEvent event, RoomCapabilities caps, Optional<Reference> reference,
                                 Optional<Reference> replyTo, Optional<?> quote, String expected) {
        return Arguments.of(name, event, caps, reference, replyTo, quote, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void decides(String name, RoomEvent event, RoomCapabilities caps, Optional<Reference> reference,
                 Optional<Reference> replyTo, Optional<FallbackPolicy.Quote> quote, String expected) {
        assertEquals(expected, render(FallbackPolicy.plan(event, caps, reference, replyTo, quote)));
    }

    static String render(FallbackPolicy.Plan plan) {
        if (plan.skipped()) {
            return "skip: " + plan.skipReason().orElse("?");
        }
        List<String> steps = new ArrayList<>();
        for (FallbackPolicy.Step step : plan.steps()) {
            StringBuilder b = new StringBuilder();
            RoomEvent e = step.event();
            if (e instanceof MessageEvent m) {
                b.append("Message[").append(m.kind()).append("] \"").append(m.body().plain().replace("\n", "\\n"))
                        .append('"');
                m.body().html().ifPresent(h -> b.append(" html=").append(h));
                if (!m.attachments().isEmpty()) {
                    b.append(" attachments=").append(m.attachments().size());
                }
                m.replyTo().ifPresent(r -> b.append(" replyTo=").append(r));
            } else if (e instanceof EditEvent ed) {
                b.append("Edit \"").append(ed.newBody().plain()).append('"');
            } else if (e instanceof RetractionEvent) {
                b.append("Retraction");
            } else if (e instanceof ReactionEvent r) {
                b.append("Reaction ").append(r.added() ? '+' : '-').append(r.key());
            } else {
                b.append(e.getClass().getSimpleName().replace("Event", ""));
            }
            step.reference().ifPresent(r -> b.append(" ref=").append(r.first()));
            step.replyTo().ifPresent(r -> b.append(" reply=").append(r.first()));
            steps.add(b.toString());
        }
        return String.join(" | ", steps);
    }
}
