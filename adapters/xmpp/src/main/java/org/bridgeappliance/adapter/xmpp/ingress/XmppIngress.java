package org.bridgeappliance.adapter.xmpp.ingress;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bridgeappliance.adapter.xmpp.convert.ReactionDiff;
import org.bridgeappliance.adapter.xmpp.convert.XmppInboundConverter;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.IngressUnavailableException;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.ReactionMapping;
import org.jivesoftware.smack.packet.StanzaError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands converted events to the core and turns every refusal into the stanza error the sender
 * should get (never a silent drop). Also reconciles XEP-0444 reaction sets with what the store
 * knows of the sender's earlier reactions. Called on the adapter's inbound thread.
 */
public final class XmppIngress {
    private static final Logger LOG = LoggerFactory.getLogger(XmppIngress.class);

    private final EventIngress ingress;
    private final BridgeStores stores;

    public XmppIngress(EventIngress ingress, BridgeStores stores) {
        this.ingress = Objects.requireNonNull(ingress, "ingress");
        this.stores = Objects.requireNonNull(stores, "stores");
    }

    /** The outcome: how the core took the events, and the error to answer with, if any. */
    public record Outcome(Optional<EventIngress.Acceptance> acceptance, Optional<StanzaError> error) {
        public boolean accepted() {
            return acceptance.isPresent() && error.isEmpty();
        }
    }

    /** Submits everything in {@code result}. */
    public Outcome submit(XmppInboundConverter.Result result) {
        try {
            Optional<EventIngress.Acceptance> last = Optional.empty();
            for (RoomEvent event : result.events()) {
                EventIngress.Acceptance a = ingress.submit(event);
                last = Optional.of(a);
                Optional<StanzaError> error = StanzaErrors.forAcceptance(a);
                if (error.isPresent()) {
                    return new Outcome(last, error);
                }
            }
            if (result.reactions().isPresent()) {
                return reactions(result.reactions().get());
            }
            return new Outcome(last, Optional.empty());
        } catch (IngressUnavailableException e) {
            LOG.warn("core could not queue an XMPP event: {}", e.getMessage());
            return new Outcome(Optional.empty(), Optional.of(StanzaErrors.unavailable()));
        }
    }

    /** Submits one event that is not a room event (presence). */
    public Outcome submit(BridgeEvent event) {
        try {
            EventIngress.Acceptance a = ingress.submit(event);
            return new Outcome(Optional.of(a), StanzaErrors.forAcceptance(a));
        } catch (IngressUnavailableException e) {
            return new Outcome(Optional.empty(), Optional.of(StanzaErrors.unavailable()));
        }
    }

    private Outcome reactions(XmppInboundConverter.ReactionSet set) {
        EventMeta meta = set.meta();
        Portal portal = meta.origin();
        List<MessageMapping> targets = stores.messages().findInPortal(portal, set.target());
        if (targets.isEmpty()) {
            return new Outcome(Optional.of(EventIngress.Acceptance.UNKNOWN_REFERENCE),
                    StanzaErrors.forAcceptance(EventIngress.Acceptance.UNKNOWN_REFERENCE));
        }
        BridgeMessageId message = targets.get(0).messageId();
        Set<String> previous = new LinkedHashSet<>();
        for (ReactionMapping r : stores.reactions().byReactor(message, portal, meta.sender())) {
            previous.add(r.key());
        }
        ReactionDiff diff = ReactionDiff.between(previous, set.keys());
        Optional<EventIngress.Acceptance> last = Optional.of(EventIngress.Acceptance.DUPLICATE);
        String base = meta.remoteId().map(RemoteMessageId::value).orElse("reaction");
        for (String key : diff.removed()) {
            last = Optional.of(one(meta, base, set.target(), key, false));
        }
        for (String key : diff.added()) {
            last = Optional.of(one(meta, base, set.target(), key, true));
        }
        return new Outcome(last, last.flatMap(StanzaErrors::forAcceptance));
    }

    private EventIngress.Acceptance one(EventMeta meta, String base, RemoteMessageId target, String key,
                                        boolean added) {
        // One stanza yields several canonical events: each gets its own id so none is taken for a duplicate.
        EventMeta derived = new EventMeta(meta.origin(), meta.sender(), meta.profile(),
                Optional.of(RemoteMessageId.of(base + "#" + (added ? "+" : "-") + key)), meta.timestamp());
        // The router records the origin portal's reactions at acceptance (the set diff above reads them).
        return ingress.submit(new ReactionEvent(derived, target, key, added));
    }
}
