package org.bridgeappliance.adapter.xmpp.muc;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.store.MessageMapStore;
import org.bridgeappliance.core.store.MessageMapping;
import org.bridgeappliance.core.store.ReactionMapping;
import org.bridgeappliance.core.store.ReactionStore;

/**
 * The complete reaction set XEP-0444 needs for one person and one message in one portal: what the
 * reaction store holds for them there, with this delivery's change applied.
 */
public final class ReactionSets {
    private ReactionSets() {
    }

    /**
     * The set to send with {@code delivery}: for a reaction with a resolved target, the author's complete
     * set after this change; for any other delivery, empty.
     */
    public static Set<String> forDelivery(MessageMapStore messages, ReactionStore reactions, Delivery delivery) {
        if (delivery.event() instanceof ReactionEvent r && delivery.reference().isPresent()) {
            return fullSet(messages, reactions, delivery, r);
        }
        return Set.of();
    }

    public static Set<String> fullSet(MessageMapStore messages, ReactionStore reactions, Delivery delivery,
                                      ReactionEvent event) {
        Set<String> keys = new LinkedHashSet<>();
        List<MessageMapping> copies = messages.findInPortal(delivery.target(), delivery.reference().get().first());
        if (!copies.isEmpty()) {
            for (ReactionMapping r : reactions.byReactor(copies.get(0).messageId(), delivery.target(), event.sender())) {
                keys.add(r.key());
            }
        }
        if (event.added()) {
            keys.add(event.key());
        } else {
            keys.remove(event.key());
        }
        return keys;
    }
}
