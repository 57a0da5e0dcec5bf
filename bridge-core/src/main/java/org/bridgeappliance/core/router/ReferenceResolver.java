package org.bridgeappliance.core.router;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.Delivery.Reference;
import org.bridgeappliance.core.store.MessageMapStore;
import org.bridgeappliance.core.store.MessageMapping;

/**
 * Translates the origin-network ids an event refers to into canonical messages and their copies on a target.
 *
 * <p>Scoping (Matterbridge #1396: an XMPP client edited other people's messages by reusing their ids): an
 * edit and an author's own retraction only find messages of the same author in the same portal
 * ({@link MessageMapStore#findByAuthor}); replies, reactions, moderation and read markers find any message
 * of the portal ({@link MessageMapStore#findInPortal}). When several messages of a portal share a remote
 * id (client-chosen XMPP ids can collide), the most recently recorded one wins.
 */
final class ReferenceResolver {
    private final MessageMapStore messages;

    ReferenceResolver(MessageMapStore messages) {
        this.messages = messages;
    }

    /** The origin-network id {@code event} refers to, if it refers to one. */
    static Optional<RemoteMessageId> referredId(RoomEvent event) {
        if (event instanceof EditEvent e) {
            return Optional.of(e.target());
        } else if (event instanceof RetractionEvent r) {
            return Optional.of(r.target());
        } else if (event instanceof ReactionEvent r) {
            return Optional.of(r.target());
        } else if (event instanceof ReadMarkerEvent r) {
            return Optional.of(r.upTo());
        } else if (event instanceof MessageEvent m) {
            return m.replyTo();
        }
        return Optional.empty();
    }

    /** The canonical message {@code event} refers to; empty if it refers to none or to an unknown one. */
    Optional<BridgeMessageId> canonical(RoomEvent event) {
        Optional<RemoteMessageId> id = referredId(event);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        boolean authorScoped = event instanceof EditEvent
                || (event instanceof RetractionEvent r && !r.moderation());
        if (authorScoped) {
            return messages.findByAuthor(event.origin(), event.sender(), id.get());
        }
        return latest(messages.findInPortal(event.origin(), id.get()));
    }

    /** The copy of {@code message} in {@code target}, parts in order; empty if it has none there. */
    Optional<Reference> copyOn(BridgeMessageId message, Portal target) {
        List<MessageMapping> parts = new ArrayList<>(2);
        for (MessageMapping m : messages.copies(message)) {
            if (m.portal().equals(target)) {
                parts.add(m);
            }
        }
        if (parts.isEmpty()) {
            return Optional.empty();
        }
        parts.sort(Comparator.comparingInt(MessageMapping::part));
        return Optional.of(new Reference(parts.stream().map(MessageMapping::remoteId).toList(),
                parts.get(0).author()));
    }

    private static Optional<BridgeMessageId> latest(List<MessageMapping> found) {
        MessageMapping best = null;
        for (MessageMapping m : found) {
            if (best == null || m.timestamp().isAfter(best.timestamp())) {
                best = m;
            }
        }
        return Optional.ofNullable(best).map(MessageMapping::messageId);
    }
}
