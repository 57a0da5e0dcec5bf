package org.bridgeappliance.adapter.sip.outbound;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.bridgeappliance.adapter.sip.convert.InboundBody;
import org.bridgeappliance.adapter.sip.stack.ProxyRouter;
import org.bridgeappliance.adapter.sip.stack.SipEndpoint;

/**
 * Sends pager-mode MESSAGEs (RFC 3428) to phones through the proxy: {@code text/plain;charset=UTF-8}, a fresh
 * Call-ID per request (Linphone drops repeated Call-IDs as duplicates), no Contact (RFC 3428 §4), over TCP
 * when the request exceeds the UDP limit ({@link ProxyRouter} picks the same transport from the same size).
 *
 * <p>CPIM (RFC 3862) only to contacts that used it first ({@link #usedCpim}): the text is wrapped with an
 * {@code imdn.Message-ID} and a request for delivery and display notifications (RFC 5438), which the adapter
 * takes as receipts and read markers. A phone that answers such a MESSAGE 415 gets it again once as
 * {@code text/plain} and is sent plain text from then on.
 *
 * <p>{@link #send} blocks its caller (a router pipeline thread or the offline-queue flusher) until the final
 * response or the request timeout.
 */
public final class PhoneSender {
    private final SipEndpoint endpoint;
    private final int udpMaxBytes;
    private final Duration timeout;
    /** Phones that sent CPIM, and phones that sent is-composing (the most recent 10,000 of each). */
    private final Set<String> cpimContacts = recentSet();
    private final Set<String> composingContacts = recentSet();

    private static Set<String> recentSet() {
        return Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > 10_000;
            }
        }));
    }

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

    /** {@code phone} (a SIP person id) sent CPIM: later MESSAGEs to it are CPIM-wrapped. */
    public void usedCpim(String phone) {
        cpimContacts.add(phone);
    }

    /** {@code phone} sent is-composing (RFC 3994): typing notifications may go to it. */
    public void usedComposing(String phone) {
        composingContacts.add(phone);
    }

    /** True if typing notifications go to {@code phone}. */
    public boolean sendsComposingTo(String phone) {
        return composingContacts.contains(phone);
    }

    /**
     * Sends an RFC 3994 is-composing MESSAGE ({@code active} with a 60 s refresh, or {@code idle}); nothing is
     * queued or retried. A phone that answers it 415 gets no more.
     */
    public CompletableFuture<Sent> sendComposing(String recipientId, String fromUri, String fromName, boolean active) {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>" + (active ? "active" : "idle")
                + "</state><contenttype>text/plain</contenttype>" + (active ? "<refresh>60</refresh>" : "")
                + "</isComposing>";
        String callId = endpoint.newCallId();
        try {
            Request request = build(recipientId, fromUri, fromName, xml, callId, "udp", "application",
                    "im-iscomposing+xml");
            return endpoint.send(request, timeout).thenApply(o -> {
                if (o.status() == 415) {
                    composingContacts.remove(recipientId);
                }
                return new Sent(classify(o.status()), o.status(), o.reason(), callId, "udp");
            });
        } catch (ParseException | InvalidArgumentException | RuntimeException e) {
            return CompletableFuture.completedFuture(new Sent(Result.REJECTED, 400, "cannot build: " + e.getMessage(),
                    callId, "none"));
        }
    }

    /** True if MESSAGEs to {@code phone} are CPIM-wrapped now. */
    public boolean sendsCpimTo(String phone) {
        return cpimContacts.contains(phone);
    }

    /** Starts sending one MESSAGE; the future completes with its outcome (never exceptionally). */
    public CompletableFuture<Sent> sendAsync(String recipientId, String fromUri, String fromName, String text) {
        if (!cpimContacts.contains(recipientId)) {
            return sendAsync(recipientId, fromUri, fromName, text, false);
        }
        return sendAsync(recipientId, fromUri, fromName, text, true).thenCompose(sent -> {
            if (sent.status() != 415) {
                return CompletableFuture.completedFuture(sent);
            }
            cpimContacts.remove(recipientId); // it asked for CPIM once, but does not take it (now): plain text
            return sendAsync(recipientId, fromUri, fromName, text, false);
        });
    }

    private CompletableFuture<Sent> sendAsync(String recipientId, String fromUri, String fromName, String text,
                                              boolean cpim) {
        String callId = endpoint.newCallId();
        Request request;
        String transport;
        try {
            String messageId = UUID.randomUUID().toString();
            request = build(recipientId, fromUri, fromName, text, callId, "udp", cpim, messageId);
            int size = request.toString().getBytes(StandardCharsets.UTF_8).length;
            transport = ProxyRouter.transportFor(size, udpMaxBytes);
            if (!transport.equals("udp")) {
                request = build(recipientId, fromUri, fromName, text, callId, transport, cpim, messageId);
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
                          String transport, boolean cpim, String messageId)
            throws ParseException, InvalidArgumentException {
        String body = cpim ? cpim(fromUri, displayName(fromName), SipAddressSyntax.personUri(recipientId), text,
                messageId, Instant.now()) : text;
        return cpim ? build(recipientId, fromUri, fromName, body, callId, transport, "message", "cpim")
                : build(recipientId, fromUri, fromName, body, callId, transport, "text", "plain");
    }

    /** A MESSAGE with {@code body} as {@code type/subtype} ({@code ;charset=UTF-8} for text/plain). */
    private Request build(String recipientId, String fromUri, String fromName, String body, String callId,
                          String transport, String type, String subtype)
            throws ParseException, InvalidArgumentException {
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
        ContentTypeHeader ct = hf.createContentTypeHeader(type, subtype);
        if (type.equals("text")) {
            ct.setParameter("charset", "UTF-8");
        }
        return endpoint.messages().createRequest(requestUri, Request.MESSAGE, hf.createCallIdHeader(callId),
                hf.createCSeqHeader(1L, Request.MESSAGE),
                hf.createFromHeader(from, UUID.randomUUID().toString().substring(0, 8)),
                hf.createToHeader(to, null), List.of(via), hf.createMaxForwardsHeader(70), ct,
                body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A CPIM message (RFC 3862) around {@code text}, with RFC 5438's {@code imdn.Message-ID} and a request for
     * delivery and display notifications. Header values are the bridge's own (URIs, a UUID, a cleaned name).
     */
    static String cpim(String fromUri, String name, String toUri, String text, String messageId, Instant now) {
        return cpimHeaders(fromUri, name, toUri, messageId, now)
                + "imdn.Disposition-Notification: positive-delivery, display\r\n"
                + "\r\n"
                + "Content-Type: text/plain;charset=UTF-8\r\n"
                + "\r\n"
                + text;
    }

    /** The CPIM message headers (RFC 3862 §3) with RFC 5438's namespace and {@code imdn.Message-ID}. */
    private static String cpimHeaders(String fromUri, String name, String toUri, String messageId, Instant now) {
        String from = name.isEmpty() ? "<" + fromUri + ">" : "\"" + name + "\" <" + fromUri + ">";
        return "From: " + from + "\r\n"
                + "To: <" + toUri + ">\r\n"
                + "DateTime: " + now.truncatedTo(ChronoUnit.SECONDS) + "\r\n"
                + "NS: imdn <urn:ietf:params:imdn>\r\n"
                + "imdn.Message-ID: " + messageId + "\r\n";
    }

    /**
     * Sends an RFC 5438 delivery notification ({@code <delivered/>}) for the phone's message {@code request}
     * names, From {@code fromUri} (the URI the phone wrote to): CPIM around {@code message/imdn+xml} with
     * {@code Content-Disposition: notification} (§7.1.1). Sent once, never queued: a lost notification loses
     * no message. The future completes with the outcome (never exceptionally).
     */
    public CompletableFuture<Sent> sendDelivered(String recipientId, String fromUri, InboundBody.DeliveryRequest request) {
        String callId = endpoint.newCallId();
        try {
            Instant now = Instant.now();
            String body = deliveredImdn(fromUri, SipAddressSyntax.personUri(recipientId), request,
                    UUID.randomUUID().toString(), now);
            Request r = build(recipientId, fromUri, "", body, callId, "udp", "message", "cpim");
            return endpoint.send(r, timeout).thenApply(o -> new Sent(classify(o.status()), o.status(), o.reason(),
                    callId, "udp"));
        } catch (ParseException | InvalidArgumentException | RuntimeException e) {
            return CompletableFuture.completedFuture(new Sent(Result.REJECTED, 400, "cannot build: " + e.getMessage(),
                    callId, "none"));
        }
    }

    /** The CPIM body of a delivery notification; the phone's message id and DateTime are XML-escaped. */
    static String deliveredImdn(String fromUri, String toUri, InboundBody.DeliveryRequest request, String messageId,
                                Instant now) {
        return cpimHeaders(fromUri, "", toUri, messageId, now)
                + "\r\n"
                + "Content-Type: message/imdn+xml\r\n"
                + "Content-Disposition: notification\r\n"
                + "\r\n"
                + "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
                + "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">"
                + "<message-id>" + xml(request.messageId()) + "</message-id>"
                + "<datetime>" + xml(request.dateTime().orElse(now.truncatedTo(ChronoUnit.SECONDS).toString()))
                + "</datetime>"
                + "<recipient-uri>" + xml(fromUri) + "</recipient-uri>"
                + "<delivery-notification><status><delivered/></status></delivery-notification>"
                + "</imdn>";
    }

    /** Text as XML character data: markup characters escaped, characters XML 1.0 forbids dropped. */
    private static String xml(String text) {
        StringBuilder b = new StringBuilder();
        text.codePoints().forEach(c -> {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> {
                    if (c >= 0x20 && c != 0xfffe && c != 0xffff || c == '\t') {
                        b.appendCodePoint(c);
                    }
                }
            }
        });
        return b.toString();
    }

    /** A display name safe inside a quoted-string (RFC 3261 §25.1): no quotes, backslashes or controls. */
    static String displayName(String name) {
        StringBuilder b = new StringBuilder();
        name.codePoints().filter(c -> c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
                .limit(64).forEach(b::appendCodePoint);
        return b.toString().strip();
    }
}
