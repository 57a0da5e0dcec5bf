package org.bridgeappliance.core.port;

import java.time.Duration;
import java.util.Optional;

/** A delivery failed in a way that a later retry may fix (network down, 5xx, rate limited). */
public class TransientDeliveryException extends BridgeException {
    private final transient Duration retryAfter;

    public TransientDeliveryException(String message, Throwable cause) {
        this(message, cause, null);
    }

    /** @param retryAfter the wait the network asked for (a 429's retry_after_ms), or null */
    public TransientDeliveryException(String message, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
