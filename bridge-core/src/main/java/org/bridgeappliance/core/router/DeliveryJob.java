package org.bridgeappliance.core.router;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.bridgeappliance.core.id.BridgeMessageId;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.ReactionEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.port.AdapterState;
import org.bridgeappliance.core.port.Delivery;
import org.bridgeappliance.core.port.Delivery.Reference;
import org.bridgeappliance.core.port.DeliveryFailure;
import org.bridgeappliance.core.port.DeliveryReceipt;
import org.bridgeappliance.core.port.PermanentDeliveryException;
import org.bridgeappliance.core.port.ProtocolAdapter;
import org.bridgeappliance.core.port.TransientDeliveryException;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.LateOutcomeStore;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.OutboxEntry;
import org.bridgeappliance.core.store.ReactionMapping;
import org.bridgeappliance.core.store.StoreException;

/**
 * Delivers one accepted room event to every other portal of its room, one target after the other, inside the
 * room's pipeline. References are resolved here, at delivery time, not at submit time: an edit queued behind
 * its still-undelivered original then finds the original's copies, because the pipeline delivered (and
 * recorded) the original first.
 *
 * <p>Per target: plan ({@link FallbackPolicy}), then deliver each step; a transient failure waits with
 * exponential backoff and jitter (the room's later events wait too: order is kept), a disconnected network
 * is waited for without spending attempts, bounded by the retry budget; after the last attempt, on a
 * permanent failure or on any unexpected exception the target is given up, counted, logged, and reported
 * to the origin adapter ({@link ProtocolAdapter#reportFailure}). Done targets are marked in the outbox, the
 * entry is completed after the last one.
 *
 * <p>Typing notifications and read markers ({@code durable == false}) get one try: a transient failure or a
 * disconnected network drops them (counted as ephemeral drops), and they are never reported back.
 */
final class DeliveryJob implements RoomPipeline.Task {
    private static final System.Logger LOG = System.getLogger(DeliveryJob.class.getName());

    /** Everything a job needs from its router. */
    record Env(BridgeStores stores, Map<Network, ProtocolAdapter> adapters, RouterConfig config,
               RouterMetrics metrics, RecentTextCache texts, ReferenceResolver resolver, Clock clock,
               LateOutcomes outcomes, CopyRecorder copies) {
    }

    private final Env env;
    private final OutboxEntry entry;
    private final boolean durable;
    private final BridgedRoom room;
    private final List<Portal> targets;

    private int targetIndex;
    // State of the current target; reset by nextTarget().
    private FallbackPolicy.Plan plan;
    private Optional<BridgeMessageId> referred = Optional.empty();
    private int stepIndex;
    private int attempt;
    private int polls;
    private long unavailableDeadline;
    private List<RemoteMessageId> receivedIds = new ArrayList<>(2);
    private Network waitingFor;
    private boolean awaitingOutcome;
    private int attemptsSpent;
    /** The last target when its done mark was left to the entry's completion (markDoneUnlessLast), else null. */
    private Portal lastUnmarked;
    /** The entry's completion was tried (with the last target's record, in one unit of work). */
    private boolean completed;

    /**
     * @param durable false for typing notifications and read markers: not in the outbox ({@code entry} is a
     *                stand-in with sequence 0), never marked or completed
     */
    DeliveryJob(Env env, OutboxEntry entry, boolean durable, BridgedRoom room) {
        this.env = env;
        this.entry = entry;
        this.durable = durable;
        this.room = room;
        List<Portal> list = new ArrayList<>(room.portals().size());
        for (Portal p : room.portals()) {
            if (!p.equals(entry.event().origin()) && !entry.delivered().contains(p)) {
                list.add(p);
            }
        }
        this.targets = list;
    }

    OutboxEntry entry() {
        return entry;
    }

    @Override
    public Network waitingFor() {
        return waitingFor;
    }

    @Override
    public long run() {
        while (targetIndex < targets.size()) {
            long wait = runTarget(targets.get(targetIndex));
            if (wait >= 0) {
                return wait;
            }
            nextTarget();
        }
        if (durable && !completed) {
            complete();
        }
        return DONE;
    }

    private void complete() {
        completed = true;
        try {
            env.stores().unitOfWork().attempt(() -> env.stores().outbox().complete(entry.sequence()));
        } catch (RuntimeException e) {
            // Mark the last target now (see markDoneUnlessLast): then every target is marked done, and a replay
            // delivers nothing twice; it only costs a retry.
            LOG.log(Level.WARNING, "could not complete outbox entry " + entry.sequence(), e);
            if (lastUnmarked != null) {
                markDone(lastUnmarked);
            }
        }
    }

    private void nextTarget() {
        targetIndex++;
        plan = null;
        referred = Optional.empty();
        stepIndex = 0;
        attempt = 0;
        polls = 0;
        unavailableDeadline = 0;
        receivedIds = new ArrayList<>(2);
        waitingFor = null;
        awaitingOutcome = false;
        attemptsSpent = 0;
    }

    /** @return DONE when this target is finished (delivered, skipped or given up), else the wait in ms */
    private long runTarget(Portal target) {
        RoomEvent event = entry.event();
        ProtocolAdapter adapter = env.adapters().get(target.network());
        if (adapter == null) {
            giveUp(target, "no adapter for network " + target.network(), 0, null);
            return DONE;
        }
        if (plan == null) {
            try {
                plan = plan(adapter, target);
            } catch (StoreException e) {
                attempt++; // a failed preparation spends an attempt too, or a dead store would be retried forever
                return transientFailure(target, "store unavailable while resolving references", null, e);
            } catch (RuntimeException e) {
                giveUp(target, "could not prepare the delivery: " + e, attempt, e);
                return DONE;
            }
            if (plan.skipped()) {
                env.metrics().countSkipped();
                LOG.log(Level.DEBUG, () -> "skipping " + event.getClass().getSimpleName() + " to " + target + ": "
                        + plan.skipReason().orElse(""));
                markDoneUnlessLast(target);
                return DONE;
            }
        }
        while (stepIndex < plan.steps().size()) {
            AdapterState state = adapter.state();
            if (!state.canDeliver()) {
                if (!durable) {
                    dropEphemeral(target, "network " + target.network() + " is " + state.status());
                    return DONE;
                }
                return waitForNetwork(target, state);
            }
            waitingFor = null;
            polls = 0;
            unavailableDeadline = 0;
            attempt++;
            FallbackPolicy.Step step = plan.steps().get(stepIndex);
            Delivery delivery = new Delivery(entry.messageId(), room.id(), target, step.event(), step.reference(),
                    step.replyTo(), attempt);
            DeliveryReceipt receipt;
            try {
                receipt = adapter.deliver(delivery);
            } catch (TransientDeliveryException e) {
                if (!durable) {
                    dropEphemeral(target, e.getMessage());
                    return DONE;
                }
                return transientFailure(target, e.getMessage(), e.retryAfter().orElse(null), e);
            } catch (PermanentDeliveryException e) {
                giveUp(target, "rejected: " + e.getMessage(), attempt, e);
                return DONE;
            } catch (RuntimeException e) {
                giveUp(target, "adapter error: " + e, attempt, e);
                return DONE;
            }
            if (receipt != null) {
                receivedIds.addAll(receipt.remoteIds());
                awaitingOutcome |= receipt.awaitingOutcome() && durable;
            }
            stepIndex++;
            attemptsSpent += attempt;
            attempt = 0;
        }
        if (!durable) {
            recordDelivered(target); // a typing notification or read marker: nothing to mark or complete
        } else {
            recordDurably(target);
        }
        env.metrics().countDelivered(target.network());
        env.metrics().activity().delivered(room.id(), entry.event().origin().network(), target, env.clock().instant());
        return DONE;
    }

    /**
     * One unit of work (one commit): the copy's record, a pending late outcome, and the target's done mark or,
     * after the last target, the entry's completion. A crash before its commit leaves none of them, and the replay
     * delivers to this target again, as a crash just before the copy's record always did.
     */
    private void recordDurably(Portal target) {
        try {
            env.stores().unitOfWork().inOne(() -> {
                recordDelivered(target);
                if (awaitingOutcome) {
                    // Accepted for later delivery: the outcome is the adapter's to report; the pipeline moves on.
                    env.outcomes().await(new LateOutcomeStore.Pending(entry.messageId(), room.id(), target,
                            entry.event(), attemptsSpent, env.clock().instant()));
                }
                markDoneUnlessLast(target);
                if (target.equals(lastUnmarked)) {
                    complete();
                }
            });
        } catch (RuntimeException e) {
            // The commit failed: the parts above log and swallow their own failures, so this is the database.
            LOG.log(Level.WARNING, "could not record the delivery of " + entry.messageId() + " to " + target
                    + "; a restart before the entry completes delivers it again", e);
        }
    }

    private FallbackPolicy.Plan plan(ProtocolAdapter adapter, Portal target) {
        RoomEvent event = entry.event();
        referred = env.resolver().canonical(event);
        Optional<Reference> reference = Optional.empty();
        Optional<Reference> replyTo = Optional.empty();
        Optional<FallbackPolicy.Quote> quote = Optional.empty();
        if (referred.isPresent()) {
            BridgeMessageId canonical = referred.get();
            if (event instanceof MessageEvent) {
                replyTo = env.resolver().copyOn(canonical, target);
                quote = env.texts().get(room.id(), canonical);
            } else if (event instanceof ReactionEvent r && !r.added()) {
                // A removal addresses the reaction's own id on the target (a Matrix annotation to redact).
                reference = env.stores().reactions().find(canonical, target, r.sender(), r.key())
                        .map(m -> new Reference(List.of(m.remoteId()), r.sender()));
            } else {
                reference = env.resolver().copyOn(canonical, target);
                if (event instanceof ReactionEvent) {
                    quote = env.texts().get(room.id(), canonical); // a reaction notice names the message's first words
                }
            }
        }
        return FallbackPolicy.plan(event, adapter.capabilities(target.room()), reference, replyTo, quote);
    }

    private long waitForNetwork(Portal target, AdapterState state) {
        long now = System.nanoTime();
        if (unavailableDeadline == 0) {
            unavailableDeadline = now + env.config().retryBudget().toNanos();
        }
        if (now - unavailableDeadline >= 0) {
            giveUp(target, "network " + target.network() + " unavailable (" + state.status() + ": " + state.detail()
                    + ")", attempt, null);
            return DONE;
        }
        waitingFor = target.network();
        polls++;
        long wait = env.config().backoff(polls).toMillis();
        long left = Math.max(1, (unavailableDeadline - now) / 1_000_000);
        return Math.min(wait, left);
    }

    private long transientFailure(Portal target, String reason, java.time.Duration retryAfter, Throwable cause) {
        if (attempt >= env.config().maxAttempts()) {
            giveUp(target, "gave up after " + attempt + " attempts: " + reason, attempt, cause);
            return DONE;
        }
        env.metrics().countRetried();
        env.metrics().activity().retried(env.clock().instant());
        long nominal = env.config().backoff(attempt).toMillis();
        // "Equal jitter": half fixed, half random, so rooms that failed together do not retry in lockstep.
        long wait = nominal / 2 + ThreadLocalRandom.current().nextLong(nominal / 2 + 1);
        if (retryAfter != null) {
            // Respect the network's rate limit (a 429's retry_after_ms), but never beyond maxBackoff.
            wait = Math.max(wait, Math.min(retryAfter.toMillis(), env.config().maxBackoff().toMillis()));
        }
        LOG.log(Level.DEBUG, () -> "transient failure delivering to " + target + " (attempt " + attempt + "): "
                + reason);
        return Math.max(1, wait);
    }

    /**
     * A typing notification or read marker is worth one try: retrying it later, or telling its author it
     * failed, would be noise. Counted as an ephemeral drop.
     */
    private void dropEphemeral(Portal target, String reason) {
        env.metrics().countDroppedEphemeral();
        LOG.log(Level.DEBUG, () -> "dropping " + entry.event().getClass().getSimpleName() + " to " + target + ": "
                + reason);
    }

    private void giveUp(Portal target, String reason, int attempts, Throwable cause) {
        if (!durable) {
            dropEphemeral(target, reason);
            return;
        }
        if (!receivedIds.isEmpty()) {
            recordDelivered(target); // some parts arrived: keep them addressable
        }
        markDone(target);
        env.metrics().countFailed(target.network());
        env.metrics().activity().failed(room.id(), target, reason, env.clock().instant());
        RoomEvent event = entry.event();
        LOG.log(Level.WARNING, "giving up delivering " + event.getClass().getSimpleName() + " " + entry.messageId()
                + " from " + event.origin() + " to " + target + ": " + reason, cause);
        ProtocolAdapter origin = env.adapters().get(event.origin().network());
        if (origin == null) {
            LOG.log(Level.WARNING, "no adapter for origin network " + event.origin().network() + " to report to");
            return;
        }
        try {
            origin.reportFailure(new DeliveryFailure(event, target, reason, attempts));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "origin adapter " + origin.network() + " failed to report a delivery failure", e);
        }
    }

    /**
     * Marks {@code target} done, unless it is the entry's last target: then {@link #run()} completes the entry
     * right after this returns (nothing runs in between), and completing says "done for every target" in one
     * write instead of two (a mark that the completion deletes at once: one database commit and one query
     * less per message for a room of two portals). A crash between the two loses nothing either way: the
     * entry is replayed, and the replay skips a target whose copy is recorded
     * ({@code Router.withRecordedCopiesDone}), as it did for a crash just before the mark. If the completion
     * fails, {@link #run()} writes the mark after all.
     */
    private void markDoneUnlessLast(Portal target) {
        if (durable && targetIndex == targets.size() - 1) {
            lastUnmarked = target;
            return;
        }
        markDone(target);
    }

    private void markDone(Portal target) {
        if (!durable) {
            return;
        }
        try {
            env.stores().unitOfWork().attempt(() -> env.stores().outbox().markDone(entry.sequence(), target));
        } catch (RuntimeException e) {
            // Delivered but not marked: a crash before the entry completes would deliver it again here.
            LOG.log(Level.WARNING, "could not mark outbox entry " + entry.sequence() + " done for " + target, e);
        }
    }

    private void recordDelivered(Portal target) {
        RoomEvent event = entry.event();
        // Rows an adapter reported early (EarlyCopies) for the same copy are skipped by the store.
        env.copies().record(entry.messageId(), room.id(), target, event.sender(), receivedIds, Level.WARNING);
        if (event instanceof ReactionEvent r && referred.isPresent() && !plan.skipped()
                && plan.steps().get(0).event() instanceof ReactionEvent) {
            try {
                env.stores().unitOfWork().attempt(() -> {
                    if (r.added()) {
                        Optional<RemoteMessageId> id = receivedIds.isEmpty()
                                ? plan.steps().get(0).reference().map(Reference::first)
                                : Optional.of(receivedIds.get(0));
                        id.ifPresent(rid -> env.stores().reactions().record(
                                new ReactionMapping(referred.get(), target, r.sender(), r.key(), rid)));
                    } else {
                        env.stores().reactions().remove(referred.get(), target, r.sender(), r.key());
                    }
                });
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not update the reaction map for " + target, e);
            }
        }
    }
}
