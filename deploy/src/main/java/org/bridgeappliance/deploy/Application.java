package org.bridgeappliance.deploy;

import io.micronaut.runtime.Micronaut;

/**
 * The appliance's entry point: one Micronaut process serving the admin API, the health endpoint and
 * the Matrix application-service endpoints, and running the router with every protocol adapter.
 *
 * <p>Micronaut registers a JVM shutdown hook, so SIGTERM (and Ctrl-C) stops the context gracefully:
 * the HTTP server stops accepting requests, in-flight ones finish
 * ({@code micronaut.lifecycle.graceful-shutdown}), the router drains and stops the adapters
 * ({@link RouterLifecycle}), and the database is closed last ({@link PersistenceFactory}).
 */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.build(args)
                .mainClass(Application.class)
                .banner(false)
                .start();
    }
}
