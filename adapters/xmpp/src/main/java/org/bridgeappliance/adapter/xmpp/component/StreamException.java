package org.bridgeappliance.adapter.xmpp.component;

import java.io.IOException;

/**
 * The component stream cannot continue; {@link #condition()} is the RFC 6120 §4.9.3 stream error
 * condition to send before closing ({@code not-well-formed}, {@code restricted-xml},
 * {@code policy-violation}, ...), or the condition the server sent.
 */
public class StreamException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String condition;

    public StreamException(String condition, String message) {
        super(message);
        this.condition = condition;
    }

    public StreamException(String condition, String message, Throwable cause) {
        super(message, cause);
        this.condition = condition;
    }

    public String condition() {
        return condition;
    }
}
