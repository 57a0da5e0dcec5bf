package org.bridgeappliance.adapter.matrix.appservice;

import java.util.Optional;

/**
 * What {@link AppServiceController} needs of the Matrix adapter, and nothing more: the handler of the AS API
 * while the adapter runs. The adapter provides it; the controller never sees the adapter.
 */
public interface AppServiceEndpoint {
    /** The AS endpoints' handler; empty while disabled, not started, failed or stopped (they answer 503). */
    Optional<AppServiceHandler> appService();
}
