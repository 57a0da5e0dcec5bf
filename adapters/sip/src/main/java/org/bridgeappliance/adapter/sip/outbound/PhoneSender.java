package org.bridgeappliance.adapter.sip.outbound;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import org.bridgeappliance.adapter.sip.address.SipAddressSyntax;
import org.bridgeappliance.adapter.sip.stack.ProxyRouter;
import org.bridgeappliance.adapter.sip.stack.SipEndpoint;

/**
 * Sends pager-mode MESSAGEs (RFC 3428) to phones through the proxy: {@code text/plain;charset=UTF-8}, a fresh
 * Call-ID per request (Linphone drops repeated Call-IDs as duplicates), no Contact (RFC 3428 §4), over TCP
 * when the request exceeds the UDP limit ({@link ProxyRouter} picks the same transport from the same size).
 *
 * <p>{@link #send} blocks its caller (a router pipeline thread or the offline-queue flusher) until the final
 * response or the request timeout.
 */
public final class PhoneSender {
    private final SipEndpoint endpoint;
    private final int udpMaxBytes;
    private final Duration timeout;

    /** How a MESSAGE ended, in the terms the adapter acts on. */
    public enum Result {
        /** 2xx: delivered (200) or accepted by a store (202). */
        DELIVERED,
        /** 404, 408, 480: the phone is not registered or not answering; queue it. */
        OFFLINE,
        /** 403, 603 and other 4xx/6xx: refused; retrying does not help. */
        REJECTED,
        /** 5xx, 503: the proxy is in trouble; retry later. */
        TRANSIENT
    }

    /** The outcome of one MESSAGE, with the Call-ID it was sent with. */
    public record Sent(Result result, int status, String reason, String callId, String transport) {
    }

    public PhoneSender(SipEndpoint endpoint, int udpMaxBytes, Duration timeout) {
        this.endpoint = endpoint;
        this.udpMaxBytes = udpMaxBytes;
        this.timeout = timeout;
    }

    /** Starts sending one MESSAGE; the future completes with its outcome (never exceptionally). */
    public CompletableFuture<Sent> sendAsync(String recipientId, String fromUri, String fromName, String text) {
        String callId = endpoint.newCallId();
        Request request;
        String transport;
        try {
            request = build(recipientId, fromUri, fromName, text, callId, "udp");
            int size = request.toString().getBytes(StandardCharsets.UTF_8).length;
            transport = ProxyRouter.transportFor(size, udpMaxBytes);
            if (!transport.equals("udp")) {
                request = build(recipientId, fromUri, fromName, text, callId, transport);
            }
        } catch (ParseException | InvalidArgumentException | RuntimeException e) {
            return CompletableFuture.completedFuture(new Sent(Result.REJECTED, 400, "cannot build: " + e.getMessage(),
                    callId, "none"));
        }
        String t = transport;
        return endpoint.send(request, timeout).thenApply(o -> new Sent(classify(o.status()), o.status(), o.reason(),
                callId, t));
    }

    /** As {@link #sendAsync}, waiting for the outcome. */
    public Sent send(String recipientId, String fromUri, String fromName, String text) {
        return sendAsync(recipientId, fromUri, fromName, text).join();
    }

    /** RFC 3428 §7 / msilo: what a final status means for a chat message. */
    public static Result classify(int status) {
        if (status >= 200 && status < 300) {
            return Result.DELIVERED;
        }
        if (status == 404 || status == 408 || status == 480) {
            return Result.OFFLINE;
        }
        if (status >= 500 && status < 600) {
            return Result.TRANSIENT;
        }
        return Result.REJECTED;
    }

    private Request build(String recipientId, String fromUri, String fromName, String text, String callId,
                          String transport) throws ParseException, InvalidArgumentException {
        var af = endpoint.addresses();
        var hf = endpoint.headers();
        SipURI requestUri = (SipURI) af.createURI(SipAddressSyntax.personUri(recipientId));
        Address from = af.createAddress(af.createURI(fromUri));
        String name = displayName(fromName);
        if (!name.isEmpty()) {
            from.setDisplayName(name);
        }
        Address to = af.createAddress(requestUri);
        ListeningPoint lp = endpoint.listeningPoint(transport);
        ViaHeader via = hf.createViaHeader(lp.getIPAddress(), lp.getPort(), transport, null);
        ContentTypeHeader ct = hf.createContentTypeHeader("text", "plain");
        ct.setParameter("charset", "UTF-8");
        return endpoint.messages().createRequest(requestUri, Request.MESSAGE, hf.createCallIdHeader(callId),
                hf.createCSeqHeader(1L, Request.MESSAGE),
                hf.createFromHeader(from, UUID.randomUUID().toString().substring(0, 8)),
                hf.createToHeader(to, null), List.of(via), hf.createMaxForwardsHeader(70), ct,
                text.getBytes(StandardCharsets.UTF_8));
    }

    /** A display name safe inside a quoted-string (RFC 3261 §25.1): no quotes, backslashes or controls. */
    static String displayName(String name) {
        StringBuilder b = new StringBuilder();
        name.codePoints().filter(c -> c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
                .limit(64).forEach(b::appendCodePoint);
        return b.toString().strip();
    }
}
