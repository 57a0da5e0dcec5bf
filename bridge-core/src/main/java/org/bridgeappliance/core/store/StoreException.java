package org.bridgeappliance.core.store;

import org.bridgeappliance.core.port.BridgeException;

/** A store could not do what was asked (database down, I/O error). Transient from the caller's view. */
public class StoreException extends BridgeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
