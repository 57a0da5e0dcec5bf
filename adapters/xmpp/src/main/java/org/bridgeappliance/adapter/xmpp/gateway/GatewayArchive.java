package org.bridgeappliance.adapter.xmpp.gateway;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.store.ArchiveQuery;
import org.bridgeappliance.core.store.ArchivedMessage;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.MessageArchive;
import org.bridgeappliance.core.store.MessageMapping;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.forward.packet.Forwarded;
import org.jivesoftware.smackx.mam.element.MamElements;
import org.jivesoftware.smackx.mam.element.MamFinIQ;
import org.jivesoftware.smackx.mam.element.MamQueryIQ;
import org.jivesoftware.smackx.muc.packet.MUCInitialPresence;
import org.jivesoftware.smackx.rsm.packet.RSMSet;
import org.jivesoftware.smackx.sid.element.StanzaIdElement;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.jxmpp.util.XmppDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway room's past, from the bridge's {@link MessageArchive} (persistent with the JDBC stores, filled by the
 * router with every accepted message of the room, whatever its network, edits applied and retractions removed):
 * the discussion history a joiner gets (XEP-0045 §7.2.14) and MAM (XEP-0313). Each archived message is shown under
 * the stanza-id it carried live in this room ({@link #roomStanzaId}), so clients page from live messages into the
 * archive.
 *
 * <p>Limits (honest): history and MAM show the plain body (no XHTML-IM, replies or attachments beyond their text);
 * the nick of an archived message is the author's display name when they wrote it (a current member's nick when
 * known).
 */
final class GatewayArchive {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayArchive.class);
    static final String MAM_NS = "urn:xmpp:mam:2";

    private final XmppSettings settings;
    private final BridgeStores stores;
    private final PuppetDirectory puppets;
    private final Network network;
    private final Clock clock;
    private final OccupantStanzas out;

    GatewayArchive(XmppSettings settings, BridgeStores stores, PuppetDirectory puppets, Network network, Clock clock,
                   OccupantStanzas out) {
        this.settings = settings;
        this.stores = stores;
        this.puppets = puppets;
        this.network = network;
        this.clock = clock;
        this.out = out;
    }

    /**
     * XEP-0045 §7.2.14 discussion history from the bridge's archive: the newest messages within
     * {@code bridge.xmpp.gateway-history} and the joiner's maxstanzas / seconds / since, then cut from the
     * oldest end to fit maxchars (counted, as the XEP says, over the whole stanzas). Each carries the stanza-id
     * its live copy carried and a XEP-0203 delay stamp.
     */
    List<Message> history(Room room, Jid to, MUCInitialPresence.History request) {
        int max = Math.min(settings.gatewayHistory(), MessageArchive.MAX_QUERY_LIMIT);
        int maxChars = -1;
        Instant since = null;
        if (request != null) {
            if (request.getMaxStanzas() >= 0) {
                max = Math.min(max, request.getMaxStanzas());
            }
            maxChars = request.getMaxChars();
            if (request.getSeconds() >= 0) {
                since = clock.instant().minusSeconds(request.getSeconds());
            }
            if (request.getSince() != null && (since == null || request.getSince().toInstant().isAfter(since))) {
                since = request.getSince().toInstant();
            }
        }
        Optional<RoomId> roomId = bridgedRoom(room);
        if (max <= 0 || maxChars == 0 || roomId.isEmpty()) {
            return List.of();
        }
        ArchiveQuery query = ArchiveQuery.newest(roomId.get(), max);
        if (since != null) {
            query = query.withStart(since);
        }
        List<Message> out = new ArrayList<>();
        for (ArchivedMessage a : archiveQuery(query)) {
            MessageBuilder b = archivedStanza(room, a).asBuilder(UUID.randomUUID().toString()).to(to);
            b.addExtension(new DelayInformation(Date.from(a.timestamp()), room.jid.toString(), null));
            out.add(b.build());
        }
        if (maxChars > 0) {
            int total = 0;
            int keepFrom = out.size();
            while (keepFrom > 0) {
                int len = out.get(keepFrom - 1).toXML().length();
                if (total + len > maxChars) {
                    break;
                }
                total += len;
                keepFrom--;
            }
            out = out.subList(keepFrom, out.size());
        }
        return out;
    }

    private Optional<RoomId> bridgedRoom(Room room) {
        return stores.rooms().findByPortal(room.portal).map(BridgedRoom::id);
    }

    private List<ArchivedMessage> archiveQuery(ArchiveQuery query) {
        try {
            return stores.archive().query(query);
        } catch (RuntimeException e) {
            LOG.warn("archive of gateway room unavailable: {}", e.toString());
            return List.of();
        }
    }

    /**
     * The stanza-id a message carries in this gateway room, live and in the archive alike: its copy's id in
     * this portal (for a message an XMPP user sent here, the sender-scoped {@code g-} id; for a message the
     * bridge delivered here, the canonical id, see {@link #deliver}), else the canonical id.
     */
    String roomStanzaId(Room room, BridgeMessageId id) {
        try {
            for (MessageMapping m : stores.messages().copies(id)) {
                if (m.portal().equals(room.portal) && m.part() == 0) {
                    return m.remoteId().value();
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("message map unavailable: {}", e.toString());
        }
        return id.value();
    }

    /** The archived message with id {@code stanzaId} as this room shows it (see {@link #roomStanzaId}). */
    Optional<ArchivedMessage> byRoomStanzaId(Room room, RoomId roomId, String stanzaId) {
        if (stanzaId.isEmpty() || stanzaId.length() > 1024) {
            return Optional.empty();
        }
        try {
            BridgeMessageId canonical = null;
            for (MessageMapping m : stores.messages().findInPortal(room.portal, RemoteMessageId.of(stanzaId))) {
                canonical = m.messageId();
                break;
            }
            if (canonical == null) {
                canonical = BridgeMessageId.of(stanzaId);
            }
            return stores.archive().find(canonical).filter(a -> a.room().equals(roomId));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not an id the bridge could have given (blank, control characters)
        }
    }

    /** A groupchat message as the room sent it live: from the author's occupant JID, with the room's stanza-id. */
    private Message archivedStanza(Room room, ArchivedMessage a) {
        String stanzaId = roomStanzaId(room, a.id());
        String text = a.kind() == MessageKind.EMOTE ? "/me " + a.body().plain() : a.body().plain(); // XEP-0245
        return StanzaBuilder.buildMessage(stanzaId).ofType(Message.Type.groupchat).from(historyOccupant(room, a))
                .to(room.jid).setBody(text).addExtension(new StanzaIdElement(stanzaId, room.jid.toString())).build();
    }

    private Jid historyOccupant(Room room, ArchivedMessage a) {
        String nick = room.members.get(a.author());
        if (nick == null) {
            nick = a.displayName().isBlank() ? PuppetDirectory.displayName(a.author(), Profile.EMPTY) : a.displayName();
        }
        try {
            return JidCreate.fullFrom(room.jid, Resourcepart.from(nick));
        } catch (XmppStringprepException | IllegalArgumentException e) {
            return room.jid; // a name no resourcepart can hold: shown as the room's own message
        }
    }

    /** Page size of a MAM query without {@code <max>}. */
    static final int MAM_DEFAULT_PAGE = 50;
    /** Largest MAM page served, whatever {@code <max>} asks (XEP-0313 §4.1.2: the server may cap it). */
    static final int MAM_MAX_PAGE = 250;

    /**
     * XEP-0313 (urn:xmpp:mam:2) over the room's archive: form fields {@code start}, {@code end}, {@code with}
     * (and v0.7's {@code before-id} / {@code after-id}), XEP-0059 paging with {@code after}, {@code before}
     * (empty: the last page) and {@code max}. Results are in chronological order, each under the stanza-id the
     * message carried live; {@code <fin complete>} is true when the page reaches the end of the results in the
     * paging direction. An unknown paging id is item-not-found (§5.1.2), an unknown form field or a bad date
     * bad-request.
     */
    IQ mam(Room room, MamQueryIQ query) {
        // Occupants only (XEP-0313 §5: a MUC archive is for those who may see the room's messages).
        EntityBareJid requester = query.getFrom() == null ? null : query.getFrom().asEntityBareJidIfPossible();
        if (requester == null || room.joiners.keySet().stream().noneMatch(j -> j.asEntityBareJid().equals(requester))) {
            return IQ.createErrorResponse(query, StanzaErrors.error(StanzaError.Condition.forbidden,
                    "Join the room to read its archive."));
        }
        Optional<RoomId> roomId = bridgedRoom(room);
        if (roomId.isEmpty()) {
            return IQ.createErrorResponse(query, StanzaErrors.error(StanzaError.Condition.item_not_found,
                    "This room is not bridged."));
        }
        ArchiveQuery q = ArchiveQuery.newest(roomId.get(), 1).from(ArchiveQuery.End.OLDEST);
        String afterId = null;
        String beforeId = null;
        try {
            DataForm form = query.getDataForm();
            if (form != null) {
                for (FormField field : form.getFields()) {
                    String value = field.getFirstValue();
                    switch (field.getFieldName()) {
                        case "FORM_TYPE" -> {
                            if (value != null && !MAM_NS.equals(value)) {
                                return badRequest(query, "Unsupported FORM_TYPE " + value);
                            }
                        }
                        case "start" -> q = value == null ? q : q.withStart(XmppDateTime.parseDate(value).toInstant());
                        case "end" -> q = value == null ? q : q.withEnd(XmppDateTime.parseDate(value).toInstant());
                        case "with" -> {
                            if (value != null) {
                                Optional<UserRef> author = author(room, JidCreate.from(value));
                                if (author.isEmpty()) {
                                    return fin(room, query, List.of(), true);
                                }
                                q = q.withAuthor(author.get());
                            }
                        }
                        case "after-id" -> afterId = value;
                        case "before-id" -> beforeId = value;
                        default -> {
                            return badRequest(query, "Unsupported field " + field.getFieldName());
                        }
                    }
                }
            }
        } catch (ParseException | XmppStringprepException | IllegalArgumentException | java.time.DateTimeException e) {
            return badRequest(query, "Malformed query field");
        }
        int max = MAM_DEFAULT_PAGE;
        boolean lastPage = false;
        RSMSet rsm = query.getExtension(RSMSet.class);
        if (rsm != null) {
            if (rsm.getMax() >= 0) {
                max = Math.min(rsm.getMax(), MAM_MAX_PAGE);
            }
            if (rsm.getAfter() != null) {
                afterId = rsm.getAfter();
            }
            if (rsm.getBefore() != null) {
                if (rsm.getBefore().isEmpty()) {
                    lastPage = true;
                } else {
                    beforeId = rsm.getBefore();
                }
            }
        }
        for (String[] anchor : new String[][] {{"after", afterId}, {"before", beforeId}}) {
            if (anchor[1] == null) {
                continue;
            }
            Optional<ArchivedMessage> found = byRoomStanzaId(room, roomId.get(), anchor[1]);
            if (found.isEmpty()) {
                return IQ.createErrorResponse(query, StanzaErrors.error(StanzaError.Condition.item_not_found,
                        "No message " + anchor[1] + " in this room's archive."));
            }
            q = "after".equals(anchor[0]) ? q.after(found.get().id()) : q.before(found.get().id());
        }
        // Paging backwards (before) takes the page from the newest end of what matches.
        boolean backwards = lastPage || beforeId != null;
        q = q.from(backwards ? ArchiveQuery.End.NEWEST : ArchiveQuery.End.OLDEST).limit(max + 1);
        List<ArchivedMessage> found;
        try {
            found = stores.archive().query(q);
        } catch (RuntimeException e) {
            LOG.warn("MAM query of {} failed: {}", room.jid, e.toString());
            return IQ.createErrorResponse(query, StanzaErrors.error(StanzaError.Condition.internal_server_error,
                    "The archive is unavailable."));
        }
        boolean complete = found.size() <= max;
        List<ArchivedMessage> page = complete ? found
                : backwards ? found.subList(found.size() - max, found.size()) : found.subList(0, max);
        return fin(room, query, page, complete);
    }

    private IQ fin(Room room, MamQueryIQ query, List<ArchivedMessage> page, boolean complete) {
        List<String> ids = new ArrayList<>(page.size());
        for (ArchivedMessage a : page) {
            Message archived = archivedStanza(room, a);
            ids.add(archived.getStanzaId());
            Forwarded<Message> forwarded = new Forwarded<>(archived, new DelayInformation(Date.from(a.timestamp())));
            out.send(StanzaBuilder.buildMessage().from(room.jid).to(query.getFrom())
                    .addExtension(new MamElements.MamResultExtension(query.getQueryId(), archived.getStanzaId(),
                            forwarded))
                    .build());
        }
        RSMSet set = ids.isEmpty() ? new RSMSet(null, null, -1, -1, null, -1, null, -1)
                : new RSMSet(null, null, -1, -1, ids.get(ids.size() - 1), -1, ids.get(0), -1);
        MamFinIQ fin = new MamFinIQ(query.getQueryId(), set, complete, false);
        fin.setType(IQ.Type.result);
        fin.setStanzaId(query.getStanzaId());
        fin.setTo(query.getFrom());
        fin.setFrom(room.jid);
        return fin;
    }

    private static IQ badRequest(IQ query, String text) {
        return IQ.createErrorResponse(query, StanzaErrors.error(StanzaError.Condition.bad_request, text));
    }

    /** The person a MAM {@code with} names: an occupant JID of this room, a puppet, or an XMPP user. */
    private Optional<UserRef> author(Room room, Jid with) {
        if (with.asBareJid().equals(room.jid)) {
            String nick = with.getResourceOrEmpty().toString();
            for (Map.Entry<UserRef, String> m : room.members.entries()) {
                if (m.getValue().equals(nick)) {
                    return Optional.of(m.getKey());
                }
            }
            for (Joiner j : room.joiners.values()) {
                if (j.nick().equals(nick)) {
                    return Optional.of(UserRef.of(network.value(), j.jid().asBareJid().toString()));
                }
            }
            return Optional.empty();
        }
        Optional<UserRef> puppet = puppets.addressing().person(with);
        if (puppet.isPresent()) {
            return puppet;
        }
        return Optional.of(UserRef.of(network.value(), with.asBareJid().toString()));
    }
}
