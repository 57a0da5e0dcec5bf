package org.bridgeappliance.core.port;

/** A delivery failed in a way no retry fixes (forbidden, rejected, room gone); reported back to the author. */
public class PermanentDeliveryException extends BridgeException {
    public PermanentDeliveryException(String message) {
        super(message);
    }

    public PermanentDeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
