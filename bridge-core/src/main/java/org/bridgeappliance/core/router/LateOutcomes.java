package org.bridgeappliance.core.router;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryOutcomes;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.store.LateOutcomeStore;
import org.bridgeappliance.core.store.LateOutcomeStore.Failure;
import org.bridgeappliance.core.store.LateOutcomeStore.Outcome;
import org.bridgeappliance.core.store.LateOutcomeStore.Pending;
import org.bridgeappliance.core.store.UnitOfWork;

/**
 * The router's side of {@link DeliveryOutcomes}: records deliveries a network accepted for later delivery
 * ({@link #await}, from a room's pipeline), settles them when their adapter reports, and tells the author of
 * a failed one through the origin adapter's {@link ProtocolAdapter#reportFailure} — once: the store hands a
 * failure out only on the call that settled it, and forgets it once reported. A failure settled but not yet
 * reported when the appliance stopped is reported at the next start ({@link #reportUnreported}); a crash
 * between the report and its mark repeats that one report (at least once rather than lost).
 *
 * <p>Reports run on the router's pool ({@code reports}), never on the adapter thread that settled them, and
 * never in a room's pipeline: a slow origin network holds nobody.
 */
final class LateOutcomes implements DeliveryOutcomes {
    private static final System.Logger LOG = System.getLogger(LateOutcomes.class.getName());

    private final LateOutcomeStore store;
    private final Map<Network, ProtocolAdapter> adapters;
    private final RouterMetrics metrics;
    private final Clock clock;
    private final Executor reports;

    private final UnitOfWork unitOfWork;

    LateOutcomes(LateOutcomeStore store, UnitOfWork unitOfWork, Map<Network, ProtocolAdapter> adapters,
                 RouterMetrics metrics, Clock clock, Executor reports) {
        this.store = store;
        this.unitOfWork = unitOfWork;
        this.adapters = adapters;
        this.metrics = metrics;
        this.clock = clock;
        this.reports = reports;
    }

    @Override
    public void delivered(BridgeMessageId messageId, Portal target) {
        settle(messageId, target, Outcome.DELIVERED);
    }

    @Override
    public void failed(BridgeMessageId messageId, Portal target, String reason) {
        settle(messageId, target, Outcome.failed(reason == null || reason.isBlank() ? "not delivered" : reason));
    }

    private void settle(BridgeMessageId messageId, Portal target, Outcome outcome) {
        try {
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(target, "target");
            store.settle(messageId, target, outcome, clock.instant()).ifPresent(this::report);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not settle the late outcome of " + messageId + " in " + target
                    + " (" + (outcome.delivered() ? "delivered" : "failed: " + outcome.reason()) + ")", e);
        }
    }

    /** Called from the pipeline that got a pending receipt; applies an outcome that arrived before it. */
    void await(Pending pending) {
        try {
            // A part of the delivery's unit of work that may fail alone (a savepoint).
            Optional<Outcome> early = unitOfWork.attempt(() -> store.await(pending));
            if (early.isPresent() && !early.get().delivered()) {
                // The store now holds it as a failure; report it like any other.
                report(new Failure(pending, early.get().reason(), clock.instant()));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record that " + pending.messageId() + " in " + pending.target()
                    + " awaits its outcome; a later failure of it will not be reported", e);
        }
    }

    /** At start: failures settled before the last stop whose author was not told yet. */
    void reportUnreported() {
        List<Failure> left;
        try {
            left = store.unreported();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not read unreported late delivery failures", e);
            return;
        }
        if (!left.isEmpty()) {
            LOG.log(Level.INFO, "reporting " + left.size() + " late delivery failures settled before the last stop");
        }
        left.forEach(this::report);
    }

    private void report(Failure failure) {
        try {
            reports.execute(() -> tellAuthor(failure));
        } catch (RejectedExecutionException e) {
            // The router is stopping: the failure stays unreported in the store and goes out at the next start.
            LOG.log(Level.INFO, "late failure of " + failure.delivery().messageId() + " is reported at the next start");
        }
    }

    private void tellAuthor(Failure failure) {
        Pending delivery = failure.delivery();
        metrics.countFailed(delivery.target().network());
        metrics.activity().failed(delivery.room(), delivery.target(), failure.reason(), clock.instant());
        LOG.log(Level.WARNING, "late delivery failure of " + delivery.messageId() + " from "
                + delivery.event().origin() + " to " + delivery.target() + ": " + failure.reason());
        ProtocolAdapter origin = adapters.get(delivery.event().origin().network());
        if (origin == null) {
            LOG.log(Level.WARNING, "no adapter for origin network " + delivery.event().origin().network()
                    + " to report a late failure to");
        } else {
            try {
                origin.reportFailure(new DeliveryFailure(delivery.event(), delivery.target(), failure.reason(),
                        delivery.attempts()));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "origin adapter " + origin.network() + " failed to report a late failure", e);
            }
        }
        try {
            store.reported(delivery.messageId(), delivery.target());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not mark the late failure of " + delivery.messageId()
                    + " reported; it may be reported again at the next start", e);
        }
    }
}
