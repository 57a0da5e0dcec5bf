package org.bridgeappliance.adapter.matrix.appservice;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.bridgeappliance.adapter.matrix.convert.MatrixInboundConverter;
import org.bridgeappliance.adapter.matrix.convert.TypingTracker;
import org.bridgeappliance.core.model.BridgeEvent;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.EventIngress.Acceptance;
import org.bridgeappliance.core.port.IngressUnavailableException;
import org.bridgeappliance.core.store.ProcessedTransactionStore;
import org.bridgeappliance.core.store.UnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes one AS transaction ({@code PUT /_matrix/app/v1/transactions/{txnId}}) exactly once.
 *
 * <p>Order: a transaction already recorded as processed is acknowledged at once (the homeserver
 * retries with the same id when our 200 was lost). Otherwise every event and ephemeral event is
 * converted and submitted, in order, to the core's {@link EventIngress}, which returns once each is
 * durably queued and de-duplicates by event id; only then is the id recorded as processed. A crash
 * anywhere in between makes the homeserver retry the whole transaction, and the core drops the
 * events it already has: nothing lost, nothing doubled. If the core cannot queue
 * ({@link IngressUnavailableException}) the exception propagates, the endpoint answers 503 and the
 * homeserver retries later.
 *
 * <p>An event that fails to convert (a bug, an odd event) is logged and skipped rather than failing
 * the transaction: the homeserver would otherwise retry it forever and block every later event.
 *
 * <p>Thread-safe: concurrent calls with the same id are serialised.
 */
public final class TransactionProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionProcessor.class);
    /** The scope of Matrix AS transaction ids in the {@link ProcessedTransactionStore}. */
    public static final String SCOPE = "matrix-as";
    /** Synapse sends at most 100 events and 100 ephemeral events per transaction. */
    public static final int MAX_EVENTS = 1000;
    private static final int TXN_ID_MAX = 255;

    /** Side effects the adapter performs around conversion (invites, profile caches, reaction ids). */
    public interface Hooks {
        /** Called for every room event before conversion, on the request thread; must not throw. */
        default void observe(JsonNode event) {
        }

        /** Called after an event was submitted, with the core's answer. */
        default void submitted(BridgeEvent event, Acceptance acceptance) {
        }
    }

    /** The outcome, for logs and tests. */
    public enum Outcome { PROCESSED, ALREADY_PROCESSED }

    private final ProcessedTransactionStore processed;
    private final UnitOfWork units;
    private final EventIngress ingress;
    private final MatrixInboundConverter converter;
    private final MatrixInboundConverter.Lookups lookups;
    private final Hooks hooks;
    private final TypingTracker typing = new TypingTracker();
    private final Object[] locks = new Object[64];

    /**
     * @param units groups the two processed-records of a transaction into one commit (the stores' unit of work)
     */
    public TransactionProcessor(ProcessedTransactionStore processed, UnitOfWork units, EventIngress ingress,
                                MatrixInboundConverter converter, MatrixInboundConverter.Lookups lookups, Hooks hooks) {
        this.processed = processed;
        this.units = units;
        this.ingress = ingress;
        this.converter = converter;
        this.lookups = lookups;
        this.hooks = hooks;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /** Validates a transaction id from the URL. */
    public static boolean validTxnId(String txnId) {
        return txnId != null && !txnId.isEmpty() && txnId.length() <= TXN_ID_MAX
                && txnId.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /**
     * @throws MalformedTransactionException  the body is not a transaction (nothing was submitted)
     * @throws IngressUnavailableException    the core could not queue an event (retry later)
     * @throws org.bridgeappliance.core.store.StoreException the processed-ids store failed (retry later)
     */
    public Outcome process(String txnId, JsonNode body) throws MalformedTransactionException {
        if (!validTxnId(txnId)) {
            throw new MalformedTransactionException("bad transaction id");
        }
        if (body == null || !body.isObject()) {
            throw new MalformedTransactionException("the body is not a JSON object");
        }
        List<JsonNode> events = array(body, "events");
        List<JsonNode> ephemeral = array(body, "ephemeral");
        if (ephemeral.isEmpty()) {
            ephemeral = array(body, "de.sorunome.msc2409.ephemeral"); // MSC2409's unstable key
        }
        if (events.size() + ephemeral.size() > MAX_EVENTS) {
            throw new MalformedTransactionException("more than " + MAX_EVENTS + " events");
        }
        String key = recordKey(txnId, events, ephemeral);
        synchronized (locks[Math.floorMod(txnId.hashCode(), locks.length)]) {
            if (processed.isProcessed(SCOPE, key)) {
                LOG.debug("transaction {} already processed", txnId);
                return Outcome.ALREADY_PROCESSED;
            }
            int converted = 0;
            for (JsonNode event : events) {
                try {
                    hooks.observe(event);
                } catch (RuntimeException e) {
                    LOG.warn("side effects of an event failed: {}", e.toString());
                }
                List<BridgeEvent> bridged = safely(() -> converter.convertEvent(event, lookups), event);
                converted += bridged.size();
                submitAll(bridged);
            }
            for (JsonNode edu : ephemeral) {
                List<BridgeEvent> bridged = safely(() -> converter.convertEphemeral(edu, lookups, typing), edu);
                converted += bridged.size();
                submitAll(bridged);
            }
            if (converted == 0) {
                // Nothing to bridge (in a busy room: the echo of our own ghost's message, one transaction per
                // message). Not recorded: a retry would again bridge nothing, and this saves two H2 commits per
                // bridged message (deploy/bench/README.md, "Throughput").
                return Outcome.PROCESSED;
            }
            // The plain id too: what diagnostics and older tests look up. Both in one commit.
            units.inOne(() -> {
                processed.markProcessed(SCOPE, key);
                processed.markProcessed(SCOPE, txnId);
            });
            return Outcome.PROCESSED;
        }
    }

    /**
     * The processed-record key: the id plus a fingerprint of the event ids it carries. Synapse on SQLite restarts
     * its transaction ids after a restart (synapse#14556), so keyed by the id alone, new transactions were answered
     * 200 and dropped as "already processed" until the counter caught up. A genuine retry carries the same event
     * ids (Synapse drops the ephemeral part on retries, so ephemeral events count only when there are no others).
     */
    static String recordKey(String txnId, List<JsonNode> events, List<JsonNode> ephemeral) {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (JsonNode event : events) {
            sha.update(event.path("event_id").asText("").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update((byte) 0);
        }
        if (events.isEmpty()) {
            for (JsonNode edu : ephemeral) {
                sha.update(edu.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return txnId + "#" + java.util.HexFormat.of().formatHex(sha.digest(), 0, 16);
    }

    private void submitAll(List<BridgeEvent> converted) {
        for (BridgeEvent event : converted) {
            Acceptance acceptance;
            try {
                acceptance = ingress.submit(event);
            } catch (IngressUnavailableException | org.bridgeappliance.core.store.StoreException e) {
                throw e; // not acknowledged: the homeserver retries the transaction
            } catch (RuntimeException e) {
                // A bug or a refusal for this one event must not block every later transaction.
                LOG.error("the core refused a {} from {}; skipped", event.getClass().getSimpleName(), event.sender(), e);
                continue;
            }
            if (acceptance != Acceptance.QUEUED) {
                LOG.debug("{} from {}: {}", event.getClass().getSimpleName(), event.sender(), acceptance);
            }
            hooks.submitted(event, acceptance);
        }
    }

    private static List<BridgeEvent> safely(java.util.function.Supplier<List<BridgeEvent>> conversion, JsonNode raw) {
        try {
            return conversion.get();
        } catch (RuntimeException e) {
            LOG.warn("skipping an event that could not be converted (type {}): {}",
                    raw.path("type").asText("?"), e.toString());
            return List.of();
        }
    }

    private static List<JsonNode> array(JsonNode body, String field) throws MalformedTransactionException {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new MalformedTransactionException("\"" + field + "\" is not an array");
        }
        List<JsonNode> out = new ArrayList<>(node.size());
        node.forEach(item -> {
            if (item.isObject()) {
                out.add(item);
            }
        });
        return out;
    }
}
