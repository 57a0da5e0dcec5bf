package org.bridgeappliance.core.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.RemoteMessageId;

/**
 * A new message.
 *
 * @param replyTo the origin-network id of the message this one answers, in the same room; the router
 *                resolves it to each target network's id (or applies the quote fallback)
 */
public record MessageEvent(EventMeta meta, MessageKind kind, MessageBody body, List<Attachment> attachments,
                           Optional<RemoteMessageId> replyTo) implements RoomEvent {
    public MessageEvent {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(body, "body");
        attachments = List.copyOf(attachments);
        Objects.requireNonNull(replyTo, "replyTo");
    }

    public static MessageEvent text(EventMeta meta, String text) {
        return new MessageEvent(meta, MessageKind.TEXT, MessageBody.plain(text), List.of(), Optional.empty());
    }
}
