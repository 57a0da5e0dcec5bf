package org.bridgeappliance.core.store;

import org.bridgeappliance.core.port.BridgeException;

/** A write broke a uniqueness rule (a portal already in another room, a message id recorded twice). */
public class StoreConflictException extends BridgeException {
    public StoreConflictException(String message) {
        super(message);
    }

    public StoreConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
