package org.bridgeappliance.core.port;

import java.time.Instant;
import java.util.Objects;

/**
 * An adapter's health as data, not as an exception: what it is doing and why.
 *
 * @param status what the adapter can do now
 * @param detail a human-readable reason (shown in the admin UI; never contains secrets)
 * @param since  when this status began
 */
public record AdapterState(Status status, String detail, Instant since) {
    public enum Status {
        /** Not configured; the appliance runs without it. */
        DISABLED,
        /** Connecting for the first time. */
        STARTING,
        /** Connected and delivering. */
        CONNECTED,
        /** Connection lost; reconnecting with backoff. Deliveries are retried until it returns. */
        RECONNECTING,
        /** Cannot work until an admin acts (bad credentials, wrong token, configuration error). */
        FAILED,
        /** Stopped at shutdown. */
        STOPPED
    }

    public AdapterState {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(since, "since");
    }

    public static AdapterState of(Status status, String detail) {
        return new AdapterState(status, detail, Instant.now());
    }

    public boolean canDeliver() {
        return status == Status.CONNECTED;
    }
}
