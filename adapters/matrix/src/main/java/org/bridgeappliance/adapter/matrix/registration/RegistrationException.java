package org.bridgeappliance.adapter.matrix.registration;

import org.bridgeappliance.core.port.BridgeException;

/** The registration is missing, unreadable, or does not match the configuration: the bridge must not start. */
public class RegistrationException extends BridgeException {
    public RegistrationException(String message) {
        super(message);
    }

    public RegistrationException(String message, Throwable cause) {
        super(message, cause);
    }
}
