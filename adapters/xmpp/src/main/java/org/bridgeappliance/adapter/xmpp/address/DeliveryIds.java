package org.bridgeappliance.adapter.xmpp.address;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bridgeappliance.core.model.EditEvent;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.RetractionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.Delivery;

/**
 * Deterministic stanza ids for what the bridge delivers into MUCs and 1:1 chats: derived from the
 * canonical message id, the target portal and the part being sent, so a delivery retried (after a
 * timeout, or replayed after a crash) carries the same {@code id} and XEP-0359 {@code origin-id} as the
 * first try, and clients that de-duplicate by id (XEP-0359 §3: origin-id is stable across retries) show
 * it once. Distinct parts of a split message are told apart by their content, since {@link Delivery}
 * does not number them: parts with byte-identical text would share an id (only possible for long
 * repeated text, and harmless beyond a client hiding the repeat).
 */
public final class DeliveryIds {
    private DeliveryIds() {
    }

    /** {@code bx-} + 128 bits of SHA-256 over (message id, portal, part), lowercase hex. */
    public static String of(Delivery delivery) {
        StringBuilder key = new StringBuilder(128).append(delivery.messageId().value()).append('\u0000')
                .append(delivery.target().network().value()).append('\u0000').append(delivery.target().room().value())
                .append('\u0000');
        part(delivery.event(), key);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
            return "bx-" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** What tells the steps of one delivery apart (the router's fallbacks rewrite or split only these). */
    private static void part(RoomEvent event, StringBuilder key) {
        key.append(event.getClass().getSimpleName()).append('\u0000');
        if (event instanceof MessageEvent m) {
            key.append(m.kind()).append('\u0000');
            body(m.body(), key);
            m.attachments().forEach(a -> key.append(a.uri()).append('\u0000'));
        } else if (event instanceof EditEvent e) {
            key.append(e.target().value()).append('\u0000');
            body(e.newBody(), key);
        } else if (event instanceof ReactionEvent r) {
            key.append(r.target().value()).append('\u0000').append(r.key()).append('\u0000').append(r.added());
        } else if (event instanceof RetractionEvent r) {
            key.append(r.target().value());
        }
    }

    private static void body(MessageBody body, StringBuilder key) {
        key.append(body.plain()).append('\u0000').append(body.html().orElse("")).append('\u0000');
    }
}
