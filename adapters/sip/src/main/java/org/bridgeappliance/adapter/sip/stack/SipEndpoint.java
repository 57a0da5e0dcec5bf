package org.bridgeappliance.adapter.sip.stack;

import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RetryAfterHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Jain-SIP stack with a UDP and a TCP listening point on one provider, and its one {@link SipListener}
 * (Jain-SIP allows one per stack). The listener does only what is cheap on Jain-SIP's threads: it checks the
 * source address (403 unless trusted), creates the server transaction and hands the request to
 * {@link Handler} through {@link Dispatch} (the adapter's executor); when that refuses it answers 503 with
 * Retry-After. Responses to requests sent with {@link #send} complete their future.
 *
 * <p>The stack is built directly ({@code new SipStackImpl}), not through {@code SipFactory}, whose cache by
 * {@code STACK_NAME} returns a stopped stack on restart; no TCP post-parse pool is configured, because its
 * JVM-wide static executor is shut down by any {@code stop()}. {@link #stop} frees both ports, so a new
 * endpoint can bind them again in the same JVM.
 */
public final class SipEndpoint implements SipListener {
    private static final Logger LOG = LoggerFactory.getLogger(SipEndpoint.class);
    private static final AtomicLong STACKS = new AtomicLong();

    /** Handles an inbound request on an adapter thread; must answer it through {@code transaction}. */
    @FunctionalInterface
    public interface Handler {
        void handle(ServerTransaction transaction, Request request, String remoteAddress);
    }

    /**
     * Runs a task on the adapter's executor; throws {@link RejectedExecutionException} when full. Tasks of one
     * {@code key} (the sender's From URI) must run in arrival order, so that a phone's messages reach the router
     * in the order it sent them.
     */
    @FunctionalInterface
    public interface Dispatch {
        void execute(String key, Runnable task);
    }

    /** A final response to an outbound request: status, reason, Retry-After seconds (or -1). */
    public record Outcome(int status, String reason, int retryAfterSeconds) {
    }

    private final MessageFactory messages = new MessageFactoryImpl();
    private final HeaderFactory headers = new HeaderFactoryImpl();
    private final AddressFactory addresses = new AddressFactoryImpl();
    private final Set<String> trusted;
    private final Handler handler;
    private final Dispatch dispatch;
    /** Answers sent through {@link #respond}, by status (-1: could not be sent); see {@link #answersSent}. */
    private final Map<Integer, LongAdder> answers = new ConcurrentHashMap<>();
    private SipStackImpl stack;
    private SipProvider provider;
    private ListeningPoint udp;
    private ListeningPoint tcp;

    public SipEndpoint(Set<String> trustedAddresses, Handler handler, Dispatch dispatch) {
        this.trusted = Set.copyOf(trustedAddresses);
        this.handler = handler;
        this.dispatch = dispatch;
    }

    /**
     * Binds {@code host:port} for UDP and TCP and starts receiving.
     *
     * @param maxMessageBytes largest request the stack reads (also its UDP buffer); larger TCP messages
     *                        close the connection, so it is set above the adapter's own 413 limit
     * @throws SipException when a port cannot be bound (everything bound so far is released)
     */
    public synchronized void start(String host, int port, String proxyHostPort, int udpMaxBytes, int maxMessageBytes)
            throws SipException {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "bridge-sip-" + STACKS.incrementAndGet());
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        p.setProperty("javax.sip.ROUTER_PATH", ProxyRouter.class.getName());
        p.setProperty("javax.sip.OUTBOUND_PROXY", proxyHostPort + "/udp");
        p.setProperty(ProxyRouter.UDP_MAX_PROPERTY, Integer.toString(udpMaxBytes));
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(maxMessageBytes));
        // One UDP processing thread: requests are dispatched in arrival order (the listener only hands them on).
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1");
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        // A TCP peer that stalls mid-message is dropped instead of holding a reader thread.
        p.setProperty("gov.nist.javax.sip.READ_TIMEOUT", "5000");
        p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
        p.setProperty("gov.nist.javax.sip.MAX_SERVER_TRANSACTIONS", "10000");
        p.setProperty("gov.nist.javax.sip.MAX_CLIENT_TRANSACTIONS", "10000");
        p.setProperty("gov.nist.javax.sip.RELEASE_REFERENCES_STRATEGY", "Normal");
        // A presence NOTIFY may overtake the 2xx of the appliance's SUBSCRIBE (RFC 6665 §4.1.2.4): the adapter
        // matches it itself (presence/PhoneWatchList) instead of the stack answering 481.
        p.setProperty("gov.nist.javax.sip.DELIVER_UNSOLICITED_NOTIFY", "true");
        try {
            stack = new SipStackImpl(p);
            udp = stack.createListeningPoint(host, port, "udp");
            tcp = stack.createListeningPoint(host, port, "tcp");
            provider = stack.createSipProvider(udp);
            provider.addListeningPoint(tcp);
            provider.addSipListener(this);
            stack.start();
        } catch (Exception e) {
            stop();
            throw e instanceof SipException se ? se : new SipException("cannot start the SIP stack: " + e.getMessage(), e);
        }
    }

    /** Stops receiving and frees the ports (Jitsi's order: listener, provider, listening points, stack). Idempotent. */
    public synchronized void stop() {
        if (stack == null) {
            return;
        }
        try {
            if (provider != null) {
                provider.removeSipListener(this);
                stack.deleteSipProvider(provider);
            }
        } catch (Exception e) {
            LOG.debug("SIP provider delete: {}", e.toString());
        }
        for (ListeningPoint lp : new ListeningPoint[] {udp, tcp}) {
            if (lp != null) {
                try {
                    stack.deleteListeningPoint(lp);
                } catch (Exception e) {
                    LOG.debug("SIP listening point delete: {}", e.toString());
                }
            }
        }
        stack.stop();
        stack = null;
        provider = null;
        udp = null;
        tcp = null;
    }

    public MessageFactory messages() {
        return messages;
    }

    public HeaderFactory headers() {
        return headers;
    }

    public AddressFactory addresses() {
        return addresses;
    }

    /** The address this endpoint listens on, for Via headers: host, port. */
    public synchronized ListeningPoint listeningPoint(String transport) {
        return "tcp".equalsIgnoreCase(transport) ? tcp : udp;
    }

    /** A fresh Call-ID (RFC 3261 §8.1.1.4; Linphone drops MESSAGEs whose Call-ID it saw before). */
    public synchronized String newCallId() {
        if (provider == null) {
            throw new IllegalStateException("SIP stack not running");
        }
        return provider.getNewCallId().getCallId();
    }

    /**
     * Sends a request statelessly-in-dialog-terms but through a client transaction (retransmissions over UDP,
     * Timer F), to the proxy chosen by {@link ProxyRouter}.
     *
     * @return completes with the final response, or 408 on transaction timeout or after {@code timeout}
     */
    public CompletableFuture<Outcome> send(Request request, Duration timeout) {
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        try {
            SipProvider p;
            synchronized (this) {
                p = provider;
            }
            if (p == null) {
                result.complete(new Outcome(503, "SIP stack not running", -1));
                return result;
            }
            ClientTransaction ct = p.getNewClientTransaction(request);
            ct.setApplicationData(result);
            ct.sendRequest();
        } catch (SipException | RuntimeException e) {
            LOG.info("SIP send failed: {}", e.toString());
            result.complete(new Outcome(503, "send failed: " + e.getMessage(), -1));
        }
        return result.completeOnTimeout(new Outcome(408, "no final response in " + timeout, -1),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The future of {@link #exchange}: completed with the final response, or null. */
    private static final class ResponseFuture extends CompletableFuture<Response> {
    }

    /**
     * As {@link #send}, for callers that need the final response's headers (a SUBSCRIBE's To tag, Contact,
     * Expires): completes with the final response, or with null on a transaction timeout, after {@code timeout},
     * or when the request could not be sent.
     */
    public CompletableFuture<Response> exchange(Request request, Duration timeout) {
        ResponseFuture result = new ResponseFuture();
        try {
            SipProvider p;
            synchronized (this) {
                p = provider;
            }
            if (p == null) {
                result.complete(null);
                return result;
            }
            ClientTransaction ct = p.getNewClientTransaction(request);
            ct.setApplicationData(result);
            ct.sendRequest();
        } catch (SipException | RuntimeException e) {
            LOG.info("SIP {} not sent: {}", request.getMethod(), e.toString());
            result.complete(null);
        }
        return result.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Answers {@code request} with {@code status}; never throws (a lost answer is retried by the peer). */
    public void respond(ServerTransaction st, Request request, int status, String reason,
                        java.util.function.Consumer<Response> decorate) {
        try {
            Response r = messages.createResponse(status, request);
            if (reason != null) {
                r.setReasonPhrase(reason);
            }
            if (decorate != null) {
                decorate.accept(r);
            }
            st.sendResponse(r);
            count(status, request);
        } catch (Exception e) {
            count(-1, request);
            LOG.debug("SIP response {} not sent: {}", status, e.toString());
        }
    }

    /**
     * Counts an answer; refusals (4xx-6xx) are logged at INFO for the first of each status and then every 1000th,
     * each at DEBUG, so a flood of bad requests is visible without flooding the log.
     */
    private void count(int status, Request request) {
        LongAdder n = answers.computeIfAbsent(status, k -> new LongAdder());
        n.increment();
        if (status >= 400 || status < 0) {
            long sum = n.sum();
            if (sum == 1 || sum % 1000 == 0) {
                LOG.info("SIP: {} answered {} ({} so far; see the admin API's sip.answered.* metrics)",
                        request.getMethod(), status < 0 ? "nothing (send failed)" : status, sum);
            } else {
                LOG.debug("SIP: {} answered {}", request.getMethod(), status);
            }
        }
    }

    /** How many answers {@link #respond} sent since start, by status; {@code -1}: sending failed. */
    public Map<Integer, Long> answersSent() {
        Map<Integer, Long> out = new TreeMap<>();
        answers.forEach((status, n) -> out.put(status, n.sum()));
        return out;
    }

    @Override
    public void processRequest(RequestEvent event) {
        try {
            Request request = event.getRequest();
            if (Request.ACK.equals(request.getMethod())) {
                return; // only ACKs to our non-2xx final responses reach here; the transaction absorbs them
            }
            String remote = event instanceof RequestEventExt ext ? ext.getRemoteIpAddress() : null;
            String badCharset = dropUnknownCharset(request);
            ServerTransaction st = event.getServerTransaction();
            if (st == null) {
                SipProvider p = (SipProvider) event.getSource();
                try {
                    st = p.getNewServerTransaction(request);
                } catch (TransactionAlreadyExistsException e) {
                    return; // a retransmission: the transaction in progress answers it
                }
            }
            if (remote == null || !trusted.contains(remote)) {
                // Trust is by configuration (the site's proxy), never by what the request claims.
                LOG.info("SIP {} from untrusted address {} refused", request.getMethod(), remote);
                respond(st, request, Response.FORBIDDEN, "Only the proxy may send here", null);
                return;
            }
            if (badCharset != null) {
                respond(st, request, Response.BAD_REQUEST, "Unknown charset", null);
                return;
            }
            ServerTransaction transaction = st;
            try {
                javax.sip.header.FromHeader from = (javax.sip.header.FromHeader) request.getHeader(
                        javax.sip.header.FromHeader.NAME);
                String key = from == null ? "" : from.getAddress().getURI().toString();
                dispatch.execute(key, () -> handler.handle(transaction, request, remote));
            } catch (RejectedExecutionException e) {
                respond(transaction, request, Response.SERVICE_UNAVAILABLE, "Busy", r -> retryAfter(r, 5));
            }
        } catch (Throwable t) {
            // Never let an exception into Jain-SIP's reader thread.
            LOG.warn("SIP request handling failed", t);
        }
    }

    /**
     * Jain-SIP encodes a request with its Content-Type charset ({@code SIPMessage.encodeAsBytes}) and fails on one
     * the JVM does not know, so such a request could never be answered: the parameter is removed here, before the
     * transaction exists, and the request is answered 400.
     *
     * @return the unknown charset, or null when there is none
     */
    private static String dropUnknownCharset(Request request) {
        ContentTypeHeader ct = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        String charset = ct == null ? null : ct.getParameter("charset");
        if (charset == null) {
            return null;
        }
        try {
            if (Charset.isSupported(charset.replace("\"", "").trim())) {
                return null;
            }
        } catch (IllegalArgumentException e) {
            // an illegal name: unknown too
        }
        ct.removeParameter("charset");
        return charset;
    }

    /** Adds {@code Retry-After: seconds} to a response. */
    public void retryAfter(Response response, int seconds) {
        try {
            RetryAfterHeader h = headers.createRetryAfterHeader(seconds);
            response.setHeader(h);
        } catch (Exception e) {
            LOG.debug("Retry-After: {}", e.toString());
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void processResponse(ResponseEvent event) {
        try {
            Response r = event.getResponse();
            ClientTransaction ct = event.getClientTransaction();
            if (r.getStatusCode() < 200 || ct == null) {
                return;
            }
            if (ct.getApplicationData() instanceof ResponseFuture rf) {
                rf.complete(r);
                return;
            }
            if (ct.getApplicationData() instanceof CompletableFuture<?> f) {
                RetryAfterHeader ra = (RetryAfterHeader) r.getHeader(RetryAfterHeader.NAME);
                ((CompletableFuture<Outcome>) f).complete(new Outcome(r.getStatusCode(), r.getReasonPhrase(),
                        ra == null ? -1 : ra.getRetryAfter()));
            }
        } catch (Throwable t) {
            LOG.warn("SIP response handling failed", t);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void processTimeout(TimeoutEvent event) {
        ClientTransaction ct = event.getClientTransaction();
        if (ct != null && ct.getApplicationData() instanceof ResponseFuture rf) {
            rf.complete(null);
        } else if (ct != null && ct.getApplicationData() instanceof CompletableFuture<?> f) {
            ((CompletableFuture<Outcome>) f).complete(new Outcome(408, "transaction timeout", -1));
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void processIOException(IOExceptionEvent event) {
        LOG.info("SIP I/O error towards {}:{}/{}", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        // nothing kept per transaction beyond its application data
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        // no dialogs: MESSAGE is out of dialog (RFC 3428)
    }
}
