package org.bridgeappliance.adapter.xmpp.muc;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.Delivery;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;

/**
 * What the bridge knows of one bridged MUC: our occupants and their join state, the participants who are not
 * ours, the elected listener, deliveries awaiting their reflection and the bounded message-id tables. Plain
 * state shared by the muc package's classes; it sends nothing itself.
 */
final class MucRoom {
    static final int ALIAS_CAPACITY = 5000;

    enum State { LEFT, JOINING, JOINED, BANNED }

    static final class Occupant {
        final Jid jid;
        final UserRef person; // null for the listener
        volatile String baseNick;
        volatile String nick;
        volatile int attempt;
        volatile State state = State.LEFT;
        volatile CompletableFuture<Void> joined = new CompletableFuture<>();

        Occupant(Jid jid, UserRef person, String baseNick) {
            this.jid = jid;
            this.person = person;
            this.baseNick = baseNick;
            this.nick = baseNick;
        }
    }

    /**
     * A MUC occupant who is not ours.
     *
     * @param realJid    their real bare JID, when the room (an allowed service) reveals it
     * @param occupantId their XEP-0421 occupant-id, as the service stamped it (believed only where
     *                   {@link MucRoom#occupantIds})
     */
    record Participant(String nick, Optional<EntityBareJid> realJid, Optional<String> occupantId) {
        Participant withNick(String newNick) {
            return new Participant(newNick, realJid, occupantId);
        }
    }

    final EntityBareJid jid;
    final Portal portal;
    final Map<Jid, Occupant> ours = new ConcurrentHashMap<>();
    final Map<String, Participant> participants = new ConcurrentHashMap<>();
    final Map<UserRef, String> shown = new ConcurrentHashMap<>();
    final Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    /** Addressable deliveries awaiting their reflection, by our stanza id (see {@link MucDelivery}). */
    final Map<String, Delivery> pendingDeliveries = new ConcurrentHashMap<>();
    final Map<String, String> ourIdByStanzaId = lru();
    /** Read-through cache of the alias store: (author, sender's id) to stanza-id. */
    final Map<String, String> stanzaIdByMessageId = lru();
    volatile Jid listener;
    volatile boolean subjectSeen;
    /**
     * The service stamps XEP-0421 occupant-ids here: seen on the self-presence of one of our occupants, which
     * the service builds from our join (we never send one), so it cannot be a participant's forgery. Services
     * that support XEP-0421 replace occupant-ids clients send; others pass them on, hence this check.
     */
    volatile boolean occupantIds;
    /** When the listener last relayed a message here; a rejoin asks for the history since then. */
    volatile Instant lastSeen;
    /** Set when the room directory dropped this room (unmapped): a pending rejoin is then abandoned. */
    volatile boolean dropped;

    MucRoom(EntityBareJid jid, Network network) {
        this.jid = jid;
        this.portal = new Portal(network, RemoteRoomId.of(jid.toString()));
    }

    private static Map<String, String> lru() {
        return Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                return size() > ALIAS_CAPACITY;
            }
        });
    }

    Optional<Occupant> ourByNick(String nick) {
        return ours.values().stream().filter(o -> nick.equals(o.nick) && o.state != State.LEFT).findFirst();
    }
}
