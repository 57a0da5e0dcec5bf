package org.bridgeappliance.core.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.model.MessageBody;

/**
 * The conversation of every bridged room, in canonical form, for history on join and message archive
 * queries (XEP-0045 §7.2.14 history, XEP-0313 MAM in the XMPP gateway).
 *
 * <p>Written by the router at acceptance, under the room's ordering (so archive order is acceptance order,
 * which is delivery order): {@link #append} for every accepted message, {@link #edit} and {@link #retract}
 * for accepted edits and retractions, whatever network they came from. Read by adapters, on their own
 * threads. Implementations are thread-safe; every call may block on I/O (keep it off event loops).
 *
 * <p>Bounds: bodies (plain and HTML) are capped at {@link #MAX_BODY_CHARS} characters by {@link #cap}; an
 * HTML version that does not fit is dropped rather than cut (cut HTML is broken HTML). Retention: nothing is
 * removed automatically yet; {@link #forgetOlderThan} is the hook for a configurable retention job.
 */
public interface MessageArchive {
    /** Longest stored plain or HTML body, in UTF-16 characters (64 Ki). */
    int MAX_BODY_CHARS = 64 * 1024;
    /** Longest stored display name. */
    int MAX_NAME_CHARS = 256;
    /** Most messages one query returns. */
    int MAX_QUERY_LIMIT = 1000;

    /**
     * Archives a new message. Idempotent: a message whose id is already archived is left as it is.
     *
     * @return false if the id was archived already
     */
    boolean append(ArchivedMessage message);

    /** The archived message, tombstones included. */
    Optional<ArchivedMessage> find(BridgeMessageId id);

    /** See {@link ArchiveQuery}: at most {@code limit} messages, oldest first. */
    List<ArchivedMessage> query(ArchiveQuery query);

    /**
     * Replaces the body of a message (XEP-0308 / {@code m.replace}: the full new text). An edit of a
     * tombstone is ignored.
     *
     * @return false if the message is not archived or is retracted
     */
    boolean edit(BridgeMessageId id, MessageBody newBody, Instant editedAt);

    /**
     * Turns a message into a tombstone: its body is erased, its place in the archive stays.
     *
     * @return false if the message is not archived
     */
    boolean retract(BridgeMessageId id);

    /** Removes messages sent before {@code cutoff} (the retention hook); returns how many. */
    int forgetOlderThan(Instant cutoff);

    /** {@code body} within {@link #MAX_BODY_CHARS}: the plain text cut, an HTML version that is too long dropped. */
    static MessageBody cap(MessageBody body) {
        if (body.plain().length() <= MAX_BODY_CHARS && body.html().map(String::length).orElse(0) <= MAX_BODY_CHARS) {
            return body;
        }
        String plain = capText(body.plain(), MAX_BODY_CHARS);
        return body.html().filter(h -> h.length() <= MAX_BODY_CHARS && plain.equals(body.plain()))
                .map(h -> MessageBody.html(plain, h)).orElse(MessageBody.plain(plain));
    }

    /** {@code text} cut to at most {@code max} characters, never between the two halves of a surrogate pair. */
    static String capText(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int cut = Character.isLowSurrogate(text.charAt(max)) && Character.isHighSurrogate(text.charAt(max - 1))
                ? max - 1 : max;
        return text.substring(0, cut);
    }

    /** An archive that keeps nothing: for store sets that have none (history is then empty). */
    MessageArchive NONE = new MessageArchive() {
        @Override
        public boolean append(ArchivedMessage message) {
            return true;
        }

        @Override
        public Optional<ArchivedMessage> find(BridgeMessageId id) {
            return Optional.empty();
        }

        @Override
        public List<ArchivedMessage> query(ArchiveQuery query) {
            return List.of();
        }

        @Override
        public boolean edit(BridgeMessageId id, MessageBody newBody, Instant editedAt) {
            return false;
        }

        @Override
        public boolean retract(BridgeMessageId id) {
            return false;
        }

        @Override
        public int forgetOlderThan(Instant cutoff) {
            return 0;
        }
    };
}
