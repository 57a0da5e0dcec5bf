package org.bridgeappliance.adapter.xmpp.muc;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.store.MessageAliasStore;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smackx.sid.element.StanzaIdElement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Message ids in a bridged MUC. The portal's canonical message id is the room's stanza-id (what XEP-0444,
 * XEP-0461 and XEP-0425 refer to); XEP-0308 corrections and XEP-0424 retractions, which use the sender's message
 * id / origin-id, are mapped through the {@link MessageAliasStore} (persistent, scoped by portal and author, so
 * corrections of messages sent before a restart still resolve), with a bounded in-memory read-through cache in
 * front ({@link MucRoom#stanzaIdByMessageId}). Outgoing corrections address our puppets' own ids through an
 * in-memory table only ({@link MucRoom#ourIdByStanzaId}; after a restart they use the stanza-id).
 */
final class MucMessageIds {
    private static final Logger LOG = LoggerFactory.getLogger(MucMessageIds.class);

    private final MessageAliasStore aliases;

    MucMessageIds(MessageAliasStore aliases) {
        this.aliases = Objects.requireNonNull(aliases, "aliases");
    }

    /** The room's XEP-0359 stanza-id of a message it broadcast, or null. */
    static String roomStanzaId(MucRoom room, Message m) {
        for (StanzaIdElement sid : m.getExtensions(StanzaIdElement.class)) {
            if (room.jid.toString().equals(sid.getBy())) {
                return sid.getId();
            }
        }
        return null;
    }

    private static String aliasKey(UserRef person, String id) {
        return person.network().value() + '\u0000' + person.user().value() + '\u0000' + id;
    }

    /**
     * Remembers that {@code person} calls the message with the room's {@code stanzaId} also
     * {@code ownId}, in the cache and persistently. A store failure only costs the alias (logged):
     * the message itself is still bridged.
     */
    void learnAlias(MucRoom room, UserRef person, String ownId, String stanzaId) {
        if (ownId == null || ownId.isBlank() || ownId.equals(stanzaId)) {
            return;
        }
        room.stanzaIdByMessageId.put(aliasKey(person, ownId), stanzaId);
        try {
            aliases.alias(room.portal, person, RemoteMessageId.of(ownId), RemoteMessageId.of(stanzaId));
        } catch (RuntimeException e) {
            LOG.warn("alias of a message in {} not stored (corrections of it fail after a restart): {}", room.jid,
                    e.toString());
        }
    }

    /** The stanza-id of the message {@code person} calls {@code id}, or {@code id} itself if none is known. */
    String resolveAlias(MucRoom room, UserRef person, String id) {
        String key = aliasKey(person, id);
        String cached = room.stanzaIdByMessageId.get(key);
        if (cached != null) {
            return cached;
        }
        Optional<RemoteMessageId> stored;
        try {
            stored = aliases.resolve(room.portal, person, RemoteMessageId.of(id));
        } catch (RuntimeException e) {
            // Unresolved, the reference is tried as a stanza-id; the core answers item-not-found if it is not one.
            LOG.warn("alias lookup in {} failed: {}", room.jid, e.toString());
            return id;
        }
        stored.ifPresent(canonical -> room.stanzaIdByMessageId.put(key, canonical.value()));
        return stored.map(RemoteMessageId::value).orElse(id);
    }

    /**
     * XEP-0424 retractions of one's own message name it by origin-id (v0.2's fastening; clients
     * following v0.3+ may still use their own id in a MUC): mapped like XEP-0308 corrections.
     * Moderations (XEP-0425) name the room's stanza-id and are left alone.
     */
    XmppInboundConverter.Result resolveRetraction(MucRoom room, UserRef person, XmppInboundConverter.Result result) {
        if (result.events().size() != 1 || !(result.events().get(0) instanceof RetractionEvent r) || r.moderation()) {
            return result;
        }
        String target = resolveAlias(room, person, r.target().value());
        if (target.equals(r.target().value())) {
            return result;
        }
        return new XmppInboundConverter.Result(List.of(new RetractionEvent(r.meta(), RemoteMessageId.of(target),
                false, r.reason())), result.reactions(), result.wantsReceipt());
    }

    /** Our puppet's own message id for the room's {@code stanzaId} (XEP-0308 addresses it), if still known. */
    Optional<String> ourId(MucRoom room, String stanzaId) {
        return Optional.ofNullable(room.ourIdByStanzaId.get(stanzaId));
    }

    /** A reflection of our own message showed the room's id for it. */
    void learnOurs(MucRoom room, String ownId, String stanzaId) {
        if (ownId != null && stanzaId != null) {
            room.ourIdByStanzaId.put(stanzaId, ownId);
        }
    }
}
