package org.bridgeappliance.core.router;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.bridgeappliance.core.id.Network;

/**
 * Live counters of a {@link Router}, cheap to update from any thread and to read (the admin API polls them).
 * Every outcome of {@link Router#submit} and of every delivery is counted exactly once: nothing leaves the
 * router uncounted.
 */
public final class RouterMetrics {
    private final LongAdder accepted = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder echoes = new LongAdder();
    private final LongAdder notBridged = new LongAdder();
    private final LongAdder unknownReferences = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder droppedEphemeral = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final LongAdder presenceDelivered = new LongAdder();
    private final LongAdder presenceFailed = new LongAdder();
    private final Map<Network, LongAdder> acceptedFrom = new ConcurrentHashMap<>();
    private final Map<Network, LongAdder> deliveredTo = new ConcurrentHashMap<>();
    private final Map<Network, LongAdder> failedTo = new ConcurrentHashMap<>();
    private final DeliveryActivity activity = new DeliveryActivity();

    /** Room events and presence changes queued for bridging. */
    public long accepted() {
        return accepted.sum();
    }

    /** Events refused as already accepted (a retried Matrix transaction, an XMPP resend). */
    public long duplicates() {
        return duplicates.sum();
    }

    /** Events refused as sent by the bridge itself (puppets, bot, ids of copies the bridge delivered). */
    public long echoes() {
        return echoes.sum();
    }

    /** Events from rooms that are not bridged or disabled. */
    public long notBridged() {
        return notBridged.sum();
    }

    /** Edits, retractions, reactions and read markers of messages the bridge never saw. */
    public long unknownReferences() {
        return unknownReferences.sum();
    }

    /** Successful deliveries of room events to one portal (a split message counts once). */
    public long delivered() {
        return delivered.sum();
    }

    /** Tries repeated after a transient failure. */
    public long retried() {
        return retried.sum();
    }

    /** Deliveries given up (after the last attempt, or permanent) and reported back to the origin adapter. */
    public long failed() {
        return failed.sum();
    }

    /**
     * Typing notifications and read markers dropped because their room was overloaded, and presence changes
     * superseded by a newer one before they were delivered.
     */
    public long droppedEphemeral() {
        return droppedEphemeral.sum();
    }

    /** Deliveries the target cannot carry and that have no fallback (typing to a phone, say): skipped on purpose. */
    public long skipped() {
        return skipped.sum();
    }

    /** Presence changes delivered to one network. */
    public long presenceDelivered() {
        return presenceDelivered.sum();
    }

    /** Presence changes that could not be delivered to one network (logged; presence is not reported back). */
    public long presenceFailed() {
        return presenceFailed.sum();
    }

    /** Recent deliveries, failures and retries per minute, and every room's last delivery and failure. */
    public DeliveryActivity activity() {
        return activity;
    }

    public long acceptedFrom(Network network) {
        return get(acceptedFrom, network);
    }

    public long deliveredTo(Network network) {
        return get(deliveredTo, network);
    }

    public long failedTo(Network network) {
        return get(failedTo, network);
    }

    /** Every counter by name ({@code "delivered"}, {@code "delivered.matrix"}, ...), sorted; a copy. */
    public Map<String, Long> snapshot() {
        Map<String, Long> map = new TreeMap<>();
        map.put("accepted", accepted());
        map.put("duplicates", duplicates());
        map.put("echoes", echoes());
        map.put("notBridged", notBridged());
        map.put("unknownReferences", unknownReferences());
        map.put("delivered", delivered());
        map.put("retried", retried());
        map.put("failed", failed());
        map.put("droppedEphemeral", droppedEphemeral());
        map.put("skipped", skipped());
        map.put("presenceDelivered", presenceDelivered());
        map.put("presenceFailed", presenceFailed());
        acceptedFrom.forEach((n, v) -> map.put("accepted." + n, v.sum()));
        deliveredTo.forEach((n, v) -> map.put("delivered." + n, v.sum()));
        failedTo.forEach((n, v) -> map.put("failed." + n, v.sum()));
        return map;
    }

    @Override
    public String toString() {
        return "RouterMetrics" + snapshot();
    }

    void countAccepted(Network from) {
        accepted.increment();
        inc(acceptedFrom, from);
    }

    void countDuplicate() {
        duplicates.increment();
    }

    void countEcho() {
        echoes.increment();
    }

    void countNotBridged() {
        notBridged.increment();
    }

    void countUnknownReference() {
        unknownReferences.increment();
    }

    void countDelivered(Network to) {
        delivered.increment();
        inc(deliveredTo, to);
    }

    void countRetried() {
        retried.increment();
    }

    void countFailed(Network to) {
        failed.increment();
        inc(failedTo, to);
    }

    void countDroppedEphemeral() {
        droppedEphemeral.increment();
    }

    void countSkipped() {
        skipped.increment();
    }

    void countPresenceDelivered() {
        presenceDelivered.increment();
    }

    void countPresenceFailed() {
        presenceFailed.increment();
    }

    private static void inc(Map<Network, LongAdder> map, Network network) {
        map.computeIfAbsent(network, n -> new LongAdder()).increment();
    }

    private static long get(Map<Network, LongAdder> map, Network network) {
        LongAdder a = map.get(network);
        return a == null ? 0 : a.sum();
    }
}
