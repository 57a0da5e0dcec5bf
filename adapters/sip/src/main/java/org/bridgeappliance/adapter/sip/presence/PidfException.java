package org.bridgeappliance.adapter.sip.presence;

/**
 * A PIDF body was refused: malformed, too large, too deep, not PIDF, or carrying a DTD. The adapter answers
 * the NOTIFY or PUBLISH that carried it with {@code 400 Bad Request} (the message says why, safe to log: it
 * never contains the body), counts it, and keeps the previous state of the person.
 */
public final class PidfException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public PidfException(String message) {
        super(message);
    }

    public PidfException(String message, Throwable cause) {
        super(message, cause);
    }
}
