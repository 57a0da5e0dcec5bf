package org.bridgeappliance.adapter.sip.convert;

import java.util.Optional;

/** What the body of an inbound MESSAGE means, as decided by {@link SipInboundConverter}. */
public sealed interface InboundBody {

    /**
     * Chat text. {@code messageId} is the CPIM {@code imdn.Message-ID} when the sender gave one;
     * {@code deliveryNotification} is there when it also asked for a positive delivery notification (RFC 5438).
     */
    record Text(String text, Optional<String> messageId, Optional<DeliveryRequest> deliveryNotification)
            implements InboundBody {
        public Text(String text, Optional<String> messageId) {
            this(text, messageId, Optional.empty());
        }
    }

    /**
     * A sender's request (CPIM {@code imdn.Disposition-Notification: positive-delivery}) to be told when its
     * message {@code messageId}, sent at {@code dateTime} (its CPIM {@code DateTime}, if given), was delivered.
     */
    record DeliveryRequest(String messageId, Optional<String> dateTime) {
    }

    /** RFC 3994 is-composing: {@code active} or {@code idle}. */
    record Composing(boolean active) implements InboundBody {
    }

    /** RFC 5438 IMDN: the message {@code messageId} was delivered ({@code displayed == false}) or displayed. */
    record Disposition(String messageId, boolean displayed) implements InboundBody {
    }

    /** A content type the bridge does not take: answered 415 with {@code Accept}. */
    record Unsupported(String contentType) implements InboundBody {
    }

    /** Malformed (bad CPIM, bad XML, unknown charset): answered 400 with the reason. */
    record Invalid(String reason) implements InboundBody {
    }
}
