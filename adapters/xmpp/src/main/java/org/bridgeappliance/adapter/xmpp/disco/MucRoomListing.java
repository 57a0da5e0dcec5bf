package org.bridgeappliance.adapter.xmpp.disco;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.port.RoomListing.ListedRoom;
import org.bridgeappliance.core.port.RoomListing.RoomListingException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * The rooms of the MUC service, for the admin UI's room picker: one XEP-0030 disco#items query to the service
 * (XEP-0045 §6.3 "Discovering Rooms"), filtered here. The service lists public rooms only; hidden ones are typed.
 *
 * <p>Blocking: waits for the answer at most {@code timeout}. Thread-safe (no state).
 */
public final class MucRoomListing {
    private final StanzaSender sender;
    private final String mucDomain;
    private final String componentDomain;
    private final Duration timeout;

    public MucRoomListing(StanzaSender sender, String mucDomain, String componentDomain, Duration timeout) {
        this.sender = sender;
        this.mucDomain = mucDomain;
        this.componentDomain = componentDomain;
        this.timeout = timeout;
    }

    /** Rooms whose JID or name contains {@code query} (case-insensitive), at most {@code limit}. */
    public List<ListedRoom> list(String query, int limit) {
        DiscoverItems request = new DiscoverItems();
        request.setType(IQ.Type.get);
        request.setTo(JidCreate.domainBareFromOrThrowUnchecked(mucDomain));
        request.setFrom(JidCreate.domainBareFromOrThrowUnchecked(componentDomain));
        IQ answer;
        try {
            answer = sender.request(request, timeout).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RoomListingException("interrupted while asking " + mucDomain + " for its rooms");
        } catch (ExecutionException | TimeoutException e) {
            throw new RoomListingException("no answer from " + mucDomain + " to disco#items within "
                    + timeout.toSeconds() + " s");
        }
        if (answer.getType() == IQ.Type.error) {
            StanzaError error = answer.getError();
            throw new RoomListingException(mucDomain + " refused to list its rooms: "
                    + (error == null ? "error" : error.getCondition()));
        }
        if (!(answer instanceof DiscoverItems items)) {
            throw new RoomListingException(mucDomain + " answered disco#items with something else");
        }
        return filter(items.getItems(), query, limit);
    }

    static List<ListedRoom> filter(List<DiscoverItems.Item> items, String query, int limit) {
        String needle = query.strip().toLowerCase(Locale.ROOT);
        List<ListedRoom> rooms = new ArrayList<>();
        for (DiscoverItems.Item item : items) {
            Jid jid = item.getEntityID();
            if (jid == null || jid.asEntityBareJidIfPossible() == null) {
                continue; // the service itself or a nick: not a room
            }
            // Stored folded, as the admin API folds typed MUC JIDs (RFC 7622 §3.3).
            ListedRoom room = new ListedRoom(RemoteRoomId.of(jid.asBareJid().toString().toLowerCase(Locale.ROOT)),
                    Optional.ofNullable(item.getName()).filter(n -> !n.isBlank()), Optional.empty(),
                    OptionalInt.empty());
            if (room.matches(needle)) {
                rooms.add(room);
                if (rooms.size() >= limit) {
                    break;
                }
            }
        }
        return rooms;
    }
}
