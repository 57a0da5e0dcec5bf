package org.bridgeappliance.adapter.xmpp.muc;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bridgeappliance.adapter.xmpp.XmppSettings;
import org.bridgeappliance.adapter.xmpp.address.DeliveryIds;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection.NotConnectedException;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.adapter.xmpp.convert.XmppOutboundConverter;
import org.bridgeappliance.adapter.xmpp.muc.MucRoom.Occupant;
import org.bridgeappliance.adapter.xmpp.muc.MucRoom.State;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.EarlyCopies;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.MessageMapStore;
import org.bridgeappliance.core.store.ReactionStore;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.StanzaError;

/**
 * Delivery into bridged MUCs as the author's puppet (router threads, one per room at a time): joins the puppet
 * first, sends, and waits (bounded) for the room's reflection, whose stanza-id becomes the portal's message id.
 * Reflections and message errors for what we sent arrive here from the inbound thread.
 */
final class MucDelivery {
    static final Duration REFLECTION_TIMEOUT = Duration.ofSeconds(5);

    private final XmppSettings settings;
    private final StanzaSender sender;
    private final XmppOutboundConverter outbound;
    private final ReactionStore reactions;
    private final MessageMapStore messages;
    private final Clock clock;
    private final EarlyCopies copies;
    private final MucRooms rooms;
    private final MucOccupancy occupancy;
    private final MucMessageIds ids;

    MucDelivery(XmppSettings settings, StanzaSender sender, XmppOutboundConverter outbound, ReactionStore reactions,
                MessageMapStore messages, Clock clock, EarlyCopies copies, MucRooms rooms, MucOccupancy occupancy,
                MucMessageIds ids) {
        this.settings = settings;
        this.sender = sender;
        this.outbound = outbound;
        this.reactions = reactions;
        this.messages = messages;
        this.clock = clock;
        this.copies = Objects.requireNonNull(copies, "copies");
        this.rooms = rooms;
        this.occupancy = occupancy;
        this.ids = ids;
    }

    DeliveryReceipt deliver(Delivery delivery) {
        MucRoom room = rooms.room(delivery.target().room().value());
        RoomEvent event = delivery.event();
        if (event instanceof MembershipEvent membership) {
            switch (membership.membership()) {
                case JOIN, PROFILE_CHANGE -> occupancy.awaitJoined(room, occupancy.occupant(room,
                        membership.subject(), membership.meta().profile()));
                case LEAVE, KICK, BAN -> {
                    Occupant o = room.ours.get(occupancy.puppetFullJid(membership.subject(),
                            membership.meta().profile()));
                    if (o != null && o.state != State.LEFT && o.state != State.BANNED) {
                        occupancy.sendLeave(room, o);
                        occupancy.elect(room);
                    }
                }
                default -> {
                }
            }
            return DeliveryReceipt.NONE;
        }
        Occupant o = occupancy.occupant(room, event.sender(), event.meta().profile());
        occupancy.awaitJoined(room, o);
        if (event instanceof RetractionEvent r && r.moderation()) {
            return moderate(room, o, delivery, r);
        }
        Delivery effective = delivery;
        if (event instanceof EditEvent && delivery.reference().isPresent()) {
            // XEP-0308 addresses the message id, our map holds the room's stanza-id.
            String stanzaId = delivery.reference().get().first().value();
            Optional<String> ownId = ids.ourId(room, stanzaId);
            if (ownId.isPresent()) {
                effective = new Delivery(delivery.messageId(), delivery.room(), delivery.target(), event,
                        Optional.of(new Delivery.Reference(List.of(RemoteMessageId.of(ownId.get())),
                                delivery.reference().get().author())), delivery.replyTo(), delivery.attempt());
            }
        }
        // Deterministic (message, portal, part): a retried delivery repeats its id and origin-id (XEP-0359).
        String id = DeliveryIds.of(delivery);
        var target = new XmppOutboundConverter.Target(o.jid, room.jid, Message.Type.groupchat, id, clock.instant());
        Optional<Message> stanza;
        try {
            stanza = outbound.convert(effective, target, ReactionSets.forDelivery(messages, reactions, delivery));
        } catch (IllegalArgumentException e) {
            throw new PermanentDeliveryException(e.getMessage(), e);
        }
        if (stanza.isEmpty()) {
            return DeliveryReceipt.NONE;
        }
        boolean addressable = event instanceof MessageEvent || event instanceof EditEvent;
        CompletableFuture<String> reflection = new CompletableFuture<>();
        room.pending.put(id, reflection);
        if (addressable) {
            room.pendingDeliveries.put(id, delivery);
        }
        try {
            sender.send(stanza.get());
            if (!addressable) {
                return DeliveryReceipt.NONE;
            }
            String stanzaId = reflection.get(REFLECTION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return DeliveryReceipt.of(stanzaId);
        } catch (NotConnectedException e) {
            throw new TransientDeliveryException("XMPP component not connected", e);
        } catch (TimeoutException e) {
            // The room did not reflect in time (no MAM, slow server): our own id is the best we have.
            return DeliveryReceipt.of(id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientDeliveryException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RefusedByRoom refused) {
                StanzaError.Condition c = refused.condition();
                if (c == StanzaError.Condition.not_acceptable || c == StanzaError.Condition.item_not_found) {
                    o.state = State.LEFT; // the room forgot us: rejoin on retry
                    throw new TransientDeliveryException("not an occupant of " + room.jid + " any more", refused);
                }
                throw new PermanentDeliveryException(room.jid + " refused the message: " + c, refused);
            }
            throw new TransientDeliveryException("delivery to " + room.jid + " failed", e.getCause());
        } finally {
            room.pending.remove(id);
            room.pendingDeliveries.remove(id);
        }
    }

    /** A message error from the room: if it answers something we are waiting for, that delivery was refused. */
    void refused(MucRoom room, Message m) {
        CompletableFuture<String> pending = m.getStanzaId() == null ? null : room.pending.remove(m.getStanzaId());
        if (pending != null) {
            pending.completeExceptionally(new RefusedByRoom(m.getError()));
        }
    }

    /**
     * Whether a groupchat message is a reflection of our own (one we await, or from one of our occupants' nicks).
     * If so, learns the room's id for it; it is never bridged back. Inbound thread.
     */
    boolean reflection(MucRoom room, String nick, String ownId, String stanzaId) {
        CompletableFuture<String> pending = ownId == null ? null : room.pending.get(ownId);
        if (pending == null && (nick.isEmpty() || room.ourByNick(nick).isEmpty())) {
            return false;
        }
        ids.learnOurs(room, ownId, stanzaId);
        if (pending != null) {
            Delivery delivered = room.pendingDeliveries.remove(ownId);
            if (delivered != null && stanzaId != null) {
                recordCopyEarly(delivered, stanzaId);
            }
            pending.complete(stanzaId != null ? stanzaId : ownId);
        }
        return true;
    }

    /**
     * Tells the core the room's copy of a delivered message on the reader thread, as soon as its reflection
     * arrives and before the next stanza is read. Occupants see the reflection at the same moment, and a
     * reaction, reply or correction of it can follow at once; if the copy were known only when the router
     * gets the receipt, such a reference would race it and be refused as unknown. The router records it
     * ({@link EarlyCopies}: one writer of the message map); its later record from the receipt adds nothing.
     */
    private void recordCopyEarly(Delivery delivery, String stanzaId) {
        copies.known(delivery, RemoteMessageId.of(stanzaId));
    }

    private DeliveryReceipt moderate(MucRoom room, Occupant o, Delivery delivery, RetractionEvent r) {
        String target = delivery.reference().map(ref -> ref.first().value())
                .orElseThrow(() -> new PermanentDeliveryException("moderation without a reference"));
        // XEP-0425 v0.3: only a room moderator may do this; the room answers forbidden otherwise.
        var moderate = StandardExtensionElement.builder("moderate", RetractModerationIq.NAMESPACE)
                .addAttribute("id", target)
                .addElement(StandardExtensionElement.builder("retract", "urn:xmpp:message-retract:1").build());
        r.reason().ifPresent(reason -> moderate.addElement(
                StandardExtensionElement.builder("reason", RetractModerationIq.NAMESPACE).setText(reason).build()));
        IQ iq = new RetractModerationIq(moderate.build());
        iq.setType(IQ.Type.set);
        iq.setTo(room.jid);
        iq.setFrom(o.jid);
        try {
            IQ answer = sender.request(iq, settings.joinTimeout()).get(settings.joinTimeout().toMillis() + 1000,
                    TimeUnit.MILLISECONDS);
            if (answer.getType() == IQ.Type.error) {
                throw new PermanentDeliveryException("moderation refused by " + room.jid + ": "
                        + (answer.getError() == null ? "error" : answer.getError().getCondition()));
            }
            return DeliveryReceipt.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientDeliveryException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new TransientDeliveryException("no answer to the moderation request", e);
        }
    }

    /** A message error from the room, for a message our puppet sent. */
    static final class RefusedByRoom extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient StanzaError error;

        RefusedByRoom(StanzaError error) {
            super(error == null ? "error" : error.toString());
            this.error = error;
        }

        StanzaError.Condition condition() {
            return error == null ? StanzaError.Condition.undefined_condition : error.getCondition();
        }
    }
}
