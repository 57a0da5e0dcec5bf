package org.bridgeappliance.deploy;

import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bridgeappliance.core.router.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the router (and through it every adapter, then the outbox replay) once the application
 * context is up, and closes it when the context stops: the router drains its pipelines for its
 * shutdown timeout, then stops the adapters. Because this bean depends on the router and so on the
 * stores and the pool, Micronaut destroys it before them: the database is still open while the
 * router writes its last outbox marks.
 */
@Singleton
public class RouterLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(RouterLifecycle.class);

    private final Router router;
    private final AtomicBoolean closed = new AtomicBoolean();

    public RouterLifecycle(Router router) {
        this.router = router;
    }

    /** Runs on the start-up thread; adapters connect in the background (ProtocolAdapter#start must not block). */
    @EventListener
    public void onStartup(StartupEvent event) {
        long t0 = System.nanoTime();
        router.start();
        LOG.info("Router started in {} ms; adapters: {}", (System.nanoTime() - t0) / 1_000_000,
                router.adapterStates().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue().status()).toList());
    }

    @PreDestroy
    public void close() {
        if (closed.compareAndSet(false, true)) {
            LOG.info("Stopping the router and the adapters");
            router.close();
        }
    }
}
