package org.bridgeappliance.core.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageKind;

/**
 * One message of a bridged room's conversation as the bridge archived it: its canonical content, whatever
 * network it came from. Edits replace {@code body} (and set {@code editedAt}); a retraction leaves a
 * tombstone: {@code retracted} true and an empty body, so that paging anchors stay valid.
 *
 * @param id          the canonical id the router assigned at acceptance
 * @param room        the bridged room
 * @param author      the person who wrote it, on their origin network
 * @param displayName how the author presented themselves when they wrote it (may be empty)
 * @param timestamp   when it was sent on the origin network
 * @param body        the current text, at most {@link MessageArchive#MAX_BODY_CHARS} characters per part
 */
public record ArchivedMessage(BridgeMessageId id, RoomId room, UserRef author, String displayName, Instant timestamp,
                              MessageKind kind, MessageBody body, Optional<Instant> editedAt, boolean retracted) {
    public ArchivedMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(editedAt, "editedAt");
        if (displayName.length() > MessageArchive.MAX_NAME_CHARS) {
            throw new IllegalArgumentException("display name longer than " + MessageArchive.MAX_NAME_CHARS);
        }
        if (body.plain().length() > MessageArchive.MAX_BODY_CHARS
                || body.html().map(String::length).orElse(0) > MessageArchive.MAX_BODY_CHARS) {
            throw new IllegalArgumentException("body longer than " + MessageArchive.MAX_BODY_CHARS
                    + " characters; use MessageArchive.cap");
        }
    }

    /** A fresh, unedited archive entry; name and body are {@linkplain MessageArchive#cap capped} to the limits. */
    public static ArchivedMessage of(BridgeMessageId id, RoomId room, UserRef author, String displayName,
                                     Instant timestamp, MessageKind kind, MessageBody body) {
        String name = displayName == null ? "" : MessageArchive.capText(displayName, MessageArchive.MAX_NAME_CHARS);
        return new ArchivedMessage(id, room, author, name, timestamp, kind, MessageArchive.cap(body),
                Optional.empty(), false);
    }

    /** This entry with its body replaced by an edit. */
    public ArchivedMessage edited(MessageBody newBody, Instant at) {
        return new ArchivedMessage(id, room, author, displayName, timestamp, kind, MessageArchive.cap(newBody),
                Optional.of(at), retracted);
    }

    /** This entry as a tombstone. */
    public ArchivedMessage tombstone() {
        return new ArchivedMessage(id, room, author, displayName, timestamp, kind, MessageBody.plain(""), editedAt,
                true);
    }
}
