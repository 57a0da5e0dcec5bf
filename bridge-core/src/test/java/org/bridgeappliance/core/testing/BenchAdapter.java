package org.bridgeappliance.core.testing;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.RoomCapabilities;

/**
 * An adapter that does no I/O: it counts deliveries and answers each with a fresh id. For benchmarks of the router
 * (core.bench.RouterBenchmark; deploy/bench/RouterDbBench.java on the JDBC stores, through this test-jar).
 */
public final class BenchAdapter implements ProtocolAdapter {
    private final Network network;
    private final String prefix;
    public final AtomicLong delivered = new AtomicLong();
    private final Object monitor = new Object();
    private volatile long waitingFor = Long.MAX_VALUE;
    private final AdapterState connected = AdapterState.of(AdapterState.Status.CONNECTED, "bench");

    public BenchAdapter(String network) {
        this.network = Network.of(network);
        this.prefix = network + "-";
    }

    /** Waits (at most 60 s) until {@code count} deliveries have been made in all. */
    public void awaitDelivered(long count) throws InterruptedException {
        synchronized (monitor) {
            waitingFor = count;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (delivered.get() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("deliveries stalled at " + delivered.get() + " of " + count);
                }
                monitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            waitingFor = Long.MAX_VALUE;
        }
    }

    @Override
    public Network network() {
        return network;
    }

    @Override
    public void start(AdapterContext context) {
        context.stateListener().stateChanged(network, connected);
    }

    @Override
    public void stop() {
    }

    @Override
    public AdapterState state() {
        return connected;
    }

    @Override
    public RoomCapabilities capabilities(RemoteRoomId room) {
        return RoomCapabilities.FULL;
    }

    @Override
    public boolean isBridgeUser(RemoteUserId user) {
        return false;
    }

    @Override
    public DeliveryReceipt deliver(Delivery delivery) {
        long n = delivered.incrementAndGet();
        DeliveryReceipt receipt = DeliveryReceipt.of(prefix + n);
        if (n >= waitingFor) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
        return receipt;
    }

    @Override
    public void reportFailure(DeliveryFailure failure) {
        throw new IllegalStateException("benchmark delivery failed: " + failure);
    }
}
