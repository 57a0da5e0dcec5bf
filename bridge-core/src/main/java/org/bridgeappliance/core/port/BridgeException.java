package org.bridgeappliance.core.port;

/** Root of the bridge's small unchecked hierarchy; library exceptions are translated into these at adapter boundaries. */
public class BridgeException extends RuntimeException {
    public BridgeException(String message) {
        super(message);
    }

    public BridgeException(String message, Throwable cause) {
        super(message, cause);
    }
}
