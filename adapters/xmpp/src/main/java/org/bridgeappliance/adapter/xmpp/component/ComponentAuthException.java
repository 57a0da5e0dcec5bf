package org.bridgeappliance.adapter.xmpp.component;

/**
 * The server refused the component: wrong secret ({@code not-authorized}), unknown domain
 * ({@code host-unknown}) or another component already holding it ({@code conflict}). Only an admin
 * can fix it.
 */
public class ComponentAuthException extends StreamException {
    private static final long serialVersionUID = 1L;

    public ComponentAuthException(String condition, String message) {
        super(condition, message);
    }
}
