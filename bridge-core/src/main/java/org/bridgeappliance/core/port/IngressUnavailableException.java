package org.bridgeappliance.core.port;

/** The core could not queue an inbound event; the adapter must make its network retry. */
public class IngressUnavailableException extends BridgeException {
    public IngressUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
