package org.bridgeappliance.mapping;

/** A room event could not be encoded (too large) or a stored document could not be decoded. */
public class EventCodecException extends IllegalArgumentException {
    public EventCodecException(String message) {
        super(message);
    }

    public EventCodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
