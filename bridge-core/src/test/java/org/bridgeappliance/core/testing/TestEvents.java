package org.bridgeappliance.core.testing;

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
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Presence;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.TypingEvent;

/** Terse constructors of canonical events for tests: {@code TestEvents.in(portal).from(user).text("id1", "hi")}. */
public final class TestEvents {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final Portal portal;
    private final UserRef sender;
    private final Profile profile;

    private TestEvents(Portal portal, UserRef sender, Profile profile) {
        this.portal = portal;
        this.sender = sender;
        this.profile = profile;
    }

    /** Events in {@code portal}; the sender defaults to {@code "alice"} on the portal's network. */
    public static TestEvents in(Portal portal) {
        return new TestEvents(portal, new UserRef(portal.network(), org.bridgeappliance.core.id.RemoteUserId.of("alice")),
                Profile.EMPTY);
    }

    public TestEvents from(String user) {
        return new TestEvents(portal, new UserRef(portal.network(), org.bridgeappliance.core.id.RemoteUserId.of(user)),
                profile);
    }

    public TestEvents named(String displayName) {
        return new TestEvents(portal, sender, Profile.named(displayName));
    }

    public UserRef sender() {
        return sender;
    }

    public EventMeta meta(String remoteId) {
        return new EventMeta(portal, sender, profile, Optional.ofNullable(remoteId).map(RemoteMessageId::of), T0);
    }

    public MessageEvent text(String remoteId, String text) {
        return new MessageEvent(meta(remoteId), MessageKind.TEXT, MessageBody.plain(text), List.of(), Optional.empty());
    }

    public MessageEvent html(String remoteId, String plain, String html) {
        return new MessageEvent(meta(remoteId), MessageKind.TEXT, MessageBody.html(plain, html), List.of(),
                Optional.empty());
    }

    public MessageEvent reply(String remoteId, String replyTo, String text) {
        return new MessageEvent(meta(remoteId), MessageKind.TEXT, MessageBody.plain(text), List.of(),
                Optional.of(RemoteMessageId.of(replyTo)));
    }

    public MessageEvent withImage(String remoteId, String text, String uri) {
        Attachment image = new Attachment(Attachment.Kind.IMAGE, URI.create(uri), "image/png", Optional.of("cat.png"),
                OptionalLong.of(1234));
        return new MessageEvent(meta(remoteId), MessageKind.TEXT, MessageBody.plain(text), List.of(image),
                Optional.empty());
    }

    public EditEvent edit(String remoteId, String target, String newText) {
        return new EditEvent(meta(remoteId), RemoteMessageId.of(target), MessageBody.plain(newText));
    }

    public RetractionEvent retract(String remoteId, String target) {
        return new RetractionEvent(meta(remoteId), RemoteMessageId.of(target), false, Optional.empty());
    }

    public RetractionEvent moderate(String remoteId, String target) {
        return new RetractionEvent(meta(remoteId), RemoteMessageId.of(target), true, Optional.of("spam"));
    }

    public ReactionEvent react(String remoteId, String target, String key) {
        return new ReactionEvent(meta(remoteId), RemoteMessageId.of(target), key, true);
    }

    public ReactionEvent unreact(String remoteId, String target, String key) {
        return new ReactionEvent(meta(remoteId), RemoteMessageId.of(target), key, false);
    }

    public TypingEvent typing(boolean typing) {
        return new TypingEvent(meta(null), typing);
    }

    public ReadMarkerEvent read(String upTo) {
        return new ReadMarkerEvent(meta(null), RemoteMessageId.of(upTo));
    }

    public PresenceEvent presence(Presence presence) {
        return new PresenceEvent(sender, presence, Optional.empty(), profile, T0);
    }
}
