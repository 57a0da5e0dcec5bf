package org.bridgeappliance.adapter.matrix.appservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bridgeappliance.adapter.matrix.json.Json;
import org.bridgeappliance.core.port.IngressUnavailableException;
import org.bridgeappliance.core.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The homeserver-facing AS API of the bridge, without HTTP framework types: the Micronaut controller
 * only maps requests onto these methods and {@link Reply} onto responses, so the logic is testable
 * as plain Java. Every method checks the {@code hs_token} first and changes nothing when it fails.
 */
public final class AppServiceHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AppServiceHandler.class);

    /** What the adapter does for queries; both may block on Client-Server calls. */
    public interface Queries {
        /** AS API "Query User": create the ghost and return true, or false if it is none of ours. */
        boolean provisionUser(String userId);

        /** AS API "Query Room Alias": create the portal room with that alias, or false. */
        boolean provisionAlias(String alias);

        /** The homeserver reached our {@code /ping} (proves the hs_token and the URL are right). */
        default void pinged(String transactionId) {
        }
    }

    /** An HTTP status and a JSON body. */
    public record Reply(int status, JsonNode body) {
        static Reply ok() {
            return new Reply(200, Json.object());
        }

        public static Reply error(int status, String errcode, String message) {
            ObjectNode body = Json.object().put("errcode", errcode).put("error", message);
            return new Reply(status, body);
        }
    }

    private final HsTokenAuth auth;
    private final TransactionProcessor transactions;
    private final Queries queries;
    private final int maxBodyBytes;

    public AppServiceHandler(HsTokenAuth auth, TransactionProcessor transactions, Queries queries, int maxBodyBytes) {
        this.auth = auth;
        this.transactions = transactions;
        this.queries = queries;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Whether a request carries the homeserver's token ({@link HsTokenAuth}); constant-time. */
    public boolean authorized(String authorization, String queryToken) {
        return auth.authorized(authorization, queryToken);
    }

    /** The 403 for a request without a valid token, logged (without the token) as {@code what}. */
    public Reply refused(String what) {
        return forbidden(safe(what));
    }

    public Reply transaction(String txnId, String authorization, String queryToken, byte[] body) {
        if (!auth.authorized(authorization, queryToken)) {
            return forbidden("transaction");
        }
        if (body == null || body.length == 0) {
            LOG.warn("transaction {}: empty body", safe(txnId));
            return Reply.error(400, "M_NOT_JSON", "Empty body");
        }
        if (body.length > maxBodyBytes) {
            LOG.warn("transaction {}: body of {} bytes over the limit", safe(txnId), body.length);
            return Reply.error(413, "M_TOO_LARGE", "Transaction too large");
        }
        JsonNode json;
        try {
            json = Json.parse(body);
        } catch (Json.MalformedJsonException e) {
            LOG.warn("transaction {}: malformed JSON: {}", safe(txnId), e.getMessage());
            return Reply.error(400, "M_NOT_JSON", "Malformed JSON");
        }
        try {
            TransactionProcessor.Outcome outcome = transactions.process(txnId, json);
            LOG.debug("transaction {}: {}", safe(txnId), outcome);
            return Reply.ok();
        } catch (MalformedTransactionException e) {
            LOG.warn("transaction {}: {}", safe(txnId), e.getMessage());
            return Reply.error(400, "M_BAD_JSON", e.getMessage());
        } catch (IngressUnavailableException | StoreException e) {
            // Not acknowledged: the homeserver retries the whole transaction later.
            LOG.warn("transaction {}: bridge cannot queue events now ({}); homeserver will retry", safe(txnId),
                    e.getMessage());
            return Reply.error(503, "M_UNKNOWN", "Bridge temporarily unavailable");
        }
    }

    public Reply user(String userId, String authorization, String queryToken) {
        if (!auth.authorized(authorization, queryToken)) {
            return forbidden("user query");
        }
        try {
            return queries.provisionUser(userId) ? Reply.ok()
                    : Reply.error(404, "M_NOT_FOUND", "No such user");
        } catch (RuntimeException e) {
            LOG.warn("user query for {} failed: {}", safe(userId), e.toString());
            return Reply.error(500, "M_UNKNOWN", "Could not create the user");
        }
    }

    public Reply alias(String alias, String authorization, String queryToken) {
        if (!auth.authorized(authorization, queryToken)) {
            return forbidden("alias query");
        }
        try {
            return queries.provisionAlias(alias) ? Reply.ok()
                    : Reply.error(404, "M_NOT_FOUND", "No such room");
        } catch (RuntimeException e) {
            LOG.warn("alias query for {} failed: {}", safe(alias), e.toString());
            return Reply.error(500, "M_UNKNOWN", "Could not create the room");
        }
    }

    public Reply ping(String authorization, String queryToken, byte[] body) {
        if (!auth.authorized(authorization, queryToken)) {
            return forbidden("ping");
        }
        String transactionId = "";
        if (body != null && body.length > 0 && body.length <= 65_536) {
            try {
                transactionId = Json.string(Json.parse(body), "transaction_id").orElse("");
            } catch (Json.MalformedJsonException e) {
                return Reply.error(400, "M_NOT_JSON", "Malformed JSON");
            }
        }
        queries.pinged(transactionId);
        return Reply.ok();
    }

    private static Reply forbidden(String what) {
        LOG.warn("refused a {} without a valid hs_token", what);
        return Reply.error(403, "M_FORBIDDEN", "Bad or missing hs_token");
    }

    private static String safe(String value) {
        if (value == null) {
            return "null";
        }
        String cut = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return cut.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
