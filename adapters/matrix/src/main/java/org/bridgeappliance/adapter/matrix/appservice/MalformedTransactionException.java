package org.bridgeappliance.adapter.matrix.appservice;

/** A transaction body that is not what the AS API describes; answered with 400 and logged. */
public class MalformedTransactionException extends Exception {
    public MalformedTransactionException(String message) {
        super(message);
    }
}
