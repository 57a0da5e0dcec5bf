package org.bridgeappliance.core.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.RoomId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.memory.InMemoryStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ProtocolAdapter} keeps, as tests each adapter module runs against its own fake
 * network: extend this class in the adapter's tests and implement the hooks. What it checks:
 * <ul>
 * <li>lifecycle and state reporting: a disabled adapter reports DISABLED (through the listener or
 *     {@code state()}); an enabled one reaches CONNECTED through the listener and {@code state()} agrees;
 *     {@code stop()} is idempotent;</li>
 * <li>{@code deliver}: a failure a retry may fix is a {@link TransientDeliveryException}, a refusal a
 *     {@link PermanentDeliveryException}, never another exception;</li>
 * <li>{@code reportFailure} never throws, whatever it is given and whenever;</li>
 * <li>{@code isBridgeUser} is true for the adapter's own puppets and false for its network's people.</li>
 * </ul>
 * Each test gets fresh hooks; {@link #tearDown} stops what was started.
 */
public abstract class AdapterContract {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** The adapter, configured with its network turned off (not started). */
    protected abstract ProtocolAdapter disabledAdapter();

    /** A fresh adapter, enabled and configured against this test's fake network (not started). */
    protected abstract ProtocolAdapter enabledAdapter();

    /** A portal of this network that the fake network accepts deliveries into. */
    protected abstract Portal portal();

    /** A person of another network for whom this adapter puppets (its network must have a namespace here). */
    protected abstract UserRef foreignPerson();

    /** The id of {@code person}'s puppet on this network, as the adapter names it. */
    protected abstract RemoteUserId puppetOf(UserRef person);

    /** A person of this network whom the bridge does not speak for. */
    protected abstract RemoteUserId ordinaryUser();

    /** Makes the fake network answer the next delivery with a failure a retry may fix (5xx, rate limit). */
    protected abstract void failNextDeliveryTransiently();

    /**
     * Makes the fake network refuse the next delivery for good (forbidden), or names a target it can never
     * reach (for networks whose refusals arrive asynchronously).
     *
     * @return the portal to deliver the refused message into ({@link #portal()} unless the adapter needs another)
     */
    protected abstract Portal refuseNextDelivery();

    /** Stops fakes; called after each test, after the adapter was stopped. */
    protected void closeFakes() {
    }

    private final BlockingQueue<AdapterState> reported = new LinkedBlockingQueue<>();
    private final BridgeStores stores = InMemoryStores.create();
    private ProtocolAdapter started;

    @AfterEach
    void tearDown() {
        if (started != null) {
            started.stop();
        }
        closeFakes();
    }

    private AdapterContext context() {
        EventIngress ingress = event -> EventIngress.Acceptance.QUEUED;
        return new AdapterContext(ingress, (network, state) -> reported.add(state), stores, Clock.systemUTC());
    }

    private ProtocolAdapter startConnected() throws InterruptedException {
        started = enabledAdapter();
        started.start(context());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            AdapterState state = reported.poll(10, TimeUnit.MILLISECONDS);
            if (state != null && state.status() == AdapterState.Status.CONNECTED) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "CONNECTED not reported within " + WAIT + "; state "
                    + started.state());
        }
        assertEquals(AdapterState.Status.CONNECTED, started.state().status(), "state() agrees with the listener");
        return started;
    }

    private Delivery message(String id) {
        return message(id, portal());
    }

    private Delivery message(String id, Portal target) {
        Portal origin = Portal.of(foreignPerson().network().value(), "contract-room");
        EventMeta meta = new EventMeta(origin, foreignPerson(), Profile.named("Contract"),
                Optional.of(RemoteMessageId.of("contract-" + id)), T0);
        return new Delivery(BridgeMessageId.of("contract-" + id), RoomId.of("contract"), target,
                MessageEvent.text(meta, "contract " + id), Optional.empty(), Optional.empty(), 1);
    }

    @Test
    void aDisabledAdapterReportsDisabledAndStopsQuietly() {
        ProtocolAdapter adapter = disabledAdapter();
        started = adapter;
        adapter.start(context());
        boolean viaListener = reported.stream().anyMatch(s -> s.status() == AdapterState.Status.DISABLED);
        assertTrue(viaListener || adapter.state().status() == AdapterState.Status.DISABLED,
                "DISABLED, reported " + reported + ", state " + adapter.state());
        assertDoesNotThrow(adapter::stop);
        assertDoesNotThrow(adapter::stop);
    }

    @Test
    void anEnabledAdapterReportsConnectedAndStopsIdempotently() throws InterruptedException {
        ProtocolAdapter adapter = startConnected();
        assertEquals(1, adapter.deliver(message("first")).remoteIds().size(), "a delivered message has an id");
        assertDoesNotThrow(adapter::stop);
        assertDoesNotThrow(adapter::stop);
        assertFalse(adapter.state().canDeliver(), "not delivering after stop: " + adapter.state());
    }

    @Test
    void aFailureARetryMayFixIsTransient() throws InterruptedException {
        ProtocolAdapter adapter = startConnected();
        adapter.deliver(message("warm-up"));
        failNextDeliveryTransiently();
        assertThrows(TransientDeliveryException.class, () -> adapter.deliver(message("transient")));
    }

    @Test
    void aRefusalIsPermanent() throws InterruptedException {
        ProtocolAdapter adapter = startConnected();
        adapter.deliver(message("warm-up"));
        Portal target = refuseNextDelivery();
        assertThrows(PermanentDeliveryException.class, () -> adapter.deliver(message("refused", target)));
    }

    @Test
    void reportFailureNeverThrows() throws InterruptedException {
        ProtocolAdapter adapter = startConnected();
        UserRef local = new UserRef(portal().network(), ordinaryUser());
        EventMeta meta = new EventMeta(portal(), local, Profile.EMPTY, Optional.of(RemoteMessageId.of("r1")), T0);
        EventMeta anonymous = new EventMeta(Portal.of(portal().network().value(), "unknown-room"), local,
                Profile.EMPTY, Optional.empty(), T0);
        Portal elsewhere = Portal.of(foreignPerson().network().value(), "contract-room");
        assertDoesNotThrow(() -> adapter.reportFailure(new DeliveryFailure(MessageEvent.text(meta, "hi"), elsewhere,
                "gone", 3)));
        assertDoesNotThrow(() -> adapter.reportFailure(new DeliveryFailure(MessageEvent.text(anonymous, "hi"),
                elsewhere, "", 0)));
        adapter.stop();
        assertDoesNotThrow(() -> adapter.reportFailure(new DeliveryFailure(MessageEvent.text(meta, "hi"), elsewhere,
                "after stop", 1)));
    }

    @Test
    void itsOwnPuppetsAreBridgeUsersItsPeopleAreNot() {
        ProtocolAdapter adapter = enabledAdapter();
        assertTrue(adapter.isBridgeUser(puppetOf(foreignPerson())), "its puppet of " + foreignPerson());
        assertFalse(adapter.isBridgeUser(ordinaryUser()), "a person of its network");
    }
}
