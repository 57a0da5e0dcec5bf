package org.bridgeappliance.mapping;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.Attachment;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.model.RoomInfoEvent;
import org.bridgeappliance.core.model.TypingEvent;

/** Sample events of every type: with every optional value present, and with every one absent. */
final class TestEvents {
    static final Portal MUC = Portal.of("xmpp", "lobby@conference.example.org");
    static final UserRef ALICE = UserRef.of("xmpp", "alice@example.org");
    static final UserRef BOB = UserRef.of("xmpp", "bob@example.org");
    static final Instant T = Instant.parse("2024-05-01T10:00:00.123456789Z");

    private TestEvents() {
    }

    static EventMeta fullMeta() {
        return new EventMeta(MUC, ALICE,
                new Profile(Optional.of("Alice \u00c5ngstr\u00f6m \uD83D\uDE00"), Optional.of(URI.create("mxc://example.org/avatar"))),
                Optional.of(RemoteMessageId.of("origin-1")), T);
    }

    static EventMeta minimalMeta() {
        return new EventMeta(MUC, ALICE, Profile.EMPTY, Optional.empty(), Instant.EPOCH);
    }

    /** Every event type with all optional fields present. */
    static List<RoomEvent> full() {
        EventMeta m = fullMeta();
        RemoteMessageId target = RemoteMessageId.of("target-1");
        return List.of(
                new MessageEvent(m, MessageKind.EMOTE, MessageBody.html("hi \"there\"\n<b>", "<p>hi</p>"),
                        List.of(new Attachment(Attachment.Kind.IMAGE, URI.create("https://files.example.org/a.png?x=1"),
                                        "image/png", Optional.of("a.png"), OptionalLong.of(12345L)),
                                new Attachment(Attachment.Kind.FILE, URI.create("https://files.example.org/b"),
                                        "application/pdf", Optional.of("b.pdf"), OptionalLong.of(Long.MAX_VALUE))),
                        Optional.of(RemoteMessageId.of("earlier"))),
                new EditEvent(m, target, MessageBody.html("fixed", "<i>fixed</i>")),
                new RetractionEvent(m, target, true, Optional.of("spam")),
                new ReactionEvent(m, target, "\uD83D\uDC4D\uD83C\uDFFD", true),
                new TypingEvent(m, true),
                new ReadMarkerEvent(m, target),
                new MembershipEvent(m, BOB, MembershipEvent.Membership.KICK, Optional.of("rude")),
                new RoomInfoEvent(m, Optional.of("Lobby"), Optional.of("Topic \u2603"),
                        Optional.of(URI.create("https://example.org/room.png"))));
    }

    /** Every event type with all optional fields absent (and lists empty). */
    static List<RoomEvent> minimal() {
        EventMeta m = minimalMeta();
        RemoteMessageId target = RemoteMessageId.of("t");
        return List.of(
                new MessageEvent(m, MessageKind.TEXT, MessageBody.plain(""), List.of(), Optional.empty()),
                new MessageEvent(m, MessageKind.NOTICE, MessageBody.plain("x"),
                        List.of(new Attachment(Attachment.Kind.AUDIO, URI.create("https://e.org/v.ogg"), "audio/ogg",
                                Optional.empty(), OptionalLong.empty())), Optional.empty()),
                new EditEvent(m, target, MessageBody.plain("p")),
                new RetractionEvent(m, target, false, Optional.empty()),
                new ReactionEvent(m, target, "k", false),
                new TypingEvent(m, false),
                new ReadMarkerEvent(m, target),
                new MembershipEvent(m, ALICE, MembershipEvent.Membership.JOIN, Optional.empty()),
                new RoomInfoEvent(m, Optional.empty(), Optional.empty(), Optional.empty()));
    }
}
