package org.bridgeappliance.adapter.sip.presence;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.ListeningPoint;
import javax.sip.ServerTransaction;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AllowEventsHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.bridgeappliance.adapter.sip.address.SipAddressSyntax;
import org.bridgeappliance.adapter.sip.stack.ProxyRouter;
import org.bridgeappliance.adapter.sip.stack.SipEndpoint;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.PresenceDirectory;
import org.bridgeappliance.core.store.Puppet;
import org.bridgeappliance.core.store.PuppetStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance as presence server of its own SIP domains (RFC 3856, RFC 6665): {@link PresenceSubscriptions}
 * wired to Jain-SIP. Phones SUBSCRIBE to puppet URIs; each subscription is a dialog kept here by hand (the stack
 * runs without automatic dialog support): Call-ID, both tags, the watcher's Contact as remote target, the
 * Record-Route set and the local CSeq. NOTIFYs are sent through the proxy ({@link ProxyRouter}) with that route
 * set, so the proxy's loose routing takes them to the phone.
 *
 * <p>Threads: {@link #handle} on the adapter's inbound workers; {@link #onPresence} on the router's presence
 * threads; {@link #sweep} on the adapter's scheduler; NOTIFY answers on Jain-SIP's thread (the next coalesced
 * NOTIFY is only handed to the stack from there, never waited for).
 */
public final class PresenceServer {
    private static final Logger LOG = LoggerFactory.getLogger(PresenceServer.class);
    static final String EVENT = "presence";

    private final SipAddressSyntax syntax;
    private final SipEndpoint endpoint;
    private final PresenceDirectory directory;
    private final PuppetStore puppets;
    private final Network network;
    private final Clock clock;
    private final int udpMaxBytes;
    private final Duration notifyTimeout;
    private final PresenceSubscriptions<Dialog> subs;
    private final AtomicLong notifies = new AtomicLong();
    private final AtomicLong notifyFailures = new AtomicLong();
    private final AtomicLong publishRefused = new AtomicLong();
    private final AtomicLong badEvents = new AtomicLong();

    /**
     * One subscription dialog as the notifier keeps it (RFC 3261 §12.1.1 from the SUBSCRIBE). The CSeq counter is
     * the only mutable part.
     */
    static final class Dialog {
        final String callId;
        final String localTag;
        final String remoteTag;
        final String localUri;
        final String remoteUri;
        final String remoteTarget;
        final List<String> routeSet;
        final AtomicLong cseq = new AtomicLong();

        Dialog(String callId, String localTag, String remoteTag, String localUri, String remoteUri,
               String remoteTarget, List<String> routeSet) {
            this.callId = callId;
            this.localTag = localTag;
            this.remoteTag = remoteTag;
            this.localUri = localUri;
            this.remoteUri = remoteUri;
            this.remoteTarget = remoteTarget;
            this.routeSet = List.copyOf(routeSet);
        }
    }

    /**
     * @param puppets where a subscribed puppet is recorded, so that the router sends that person's presence to SIP
     *                (it targets networks where the person has a puppet); null: not recorded
     */
    public PresenceServer(SipAddressSyntax syntax, SipEndpoint endpoint, PresenceDirectory directory,
                          PuppetStore puppets, Network network, Clock clock, PresenceSubscriptions.Limits limits, int udpMaxBytes) {
        this.syntax = syntax;
        this.endpoint = endpoint;
        this.directory = directory;
        this.puppets = puppets;
        this.network = network;
        this.clock = clock;
        this.udpMaxBytes = udpMaxBytes;
        this.notifyTimeout = limits.notifyTimeout();
        this.subs = new PresenceSubscriptions<>(clock, limits);
    }

    /** Whether this class answers {@code request}: SUBSCRIBE and PUBLISH to the bridge's domains. */
    public static boolean handles(Request request) {
        String m = request.getMethod();
        return Request.SUBSCRIBE.equals(m) || Request.PUBLISH.equals(m);
    }

    /** Answers a SUBSCRIBE or PUBLISH (on an adapter worker thread). */
    public void handle(ServerTransaction st, Request request) {
        try {
            if (Request.PUBLISH.equals(request.getMethod())) {
                // Phones publish to their own AOR at the proxy; the bridge's puppets are not theirs to set.
                publishRefused.incrementAndGet();
                endpoint.respond(st, request, Response.FORBIDDEN, "Publish to your own address at the proxy", null);
                return;
            }
            subscribe(st, request);
        } catch (RuntimeException e) {
            LOG.warn("SIP {} failed", request.getMethod(), e);
            endpoint.respond(st, request, Response.SERVER_INTERNAL_ERROR, "Internal error", null);
        }
    }

    private void subscribe(ServerTransaction st, Request request) {
        EventHeader event = (EventHeader) request.getHeader(EventHeader.NAME);
        if (event == null || !EVENT.equalsIgnoreCase(event.getEventType())) {
            badEvents.incrementAndGet();
            LOG.info("SIP SUBSCRIBE for event {} refused (489)", event == null ? "(none)" : event.getEventType());
            endpoint.respond(st, request, Response.BAD_EVENT, null, this::allowEvents);
            return;
        }
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        boolean inDialog = to.getTag() != null;
        // A refresh is sent to the Contact of the 2xx (an address of this host): the presentity is in To.
        Optional<UserRef> person = puppetOf(inDialog ? to.getAddress().getURI() : request.getRequestURI());
        if (person.isEmpty()) {
            endpoint.respond(st, request, Response.NOT_FOUND, "No such presentity", null);
            return;
        }
        String puppetUri = syntax.puppetUri(person.get()).orElseThrow();
        CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        Optional<String> watcher = from.getAddress().getURI() instanceof SipURI s
                ? SipAddressSyntax.personId(s.getUser(), s.getHost()) : Optional.empty();
        if (watcher.isEmpty() || from.getTag() == null
                || syntax.isOwnHost(watcher.get().substring(watcher.get().lastIndexOf('@') + 1))) {
            endpoint.respond(st, request, Response.FORBIDDEN, "Watcher must be a SIP person", null);
            return;
        }
        ExpiresHeader exp = request.getExpires();
        OptionalLong expires = exp == null ? OptionalLong.empty() : OptionalLong.of(exp.getExpires());
        PresenceSubscriptions.DialogKey key = new PresenceSubscriptions.DialogKey(callId.getCallId(), from.getTag());
        Optional<SipPresence> current = current(person.get());
        Dialog dialog = inDialog ? null : newDialog(request, from, to, callId);
        var req = new PresenceSubscriptions.SubscribeRequest(watcher.get(), puppetUri, key, expires, inDialog);
        PresenceSubscriptions.Decision decision = subs.subscribe(req, dialog, current);
        String localTag = inDialog ? to.getTag() : dialog.localTag;
        if (decision instanceof PresenceSubscriptions.Accepted<?> a) {
            endpoint.respond(st, request, Response.OK, null, r -> ok(r, localTag, a.expires().toSeconds(), puppetUri));
            if (!a.refresh()) {
                LOG.info("SIP presence: {} watches {} for {} s", watcher.get(), puppetUri, a.expires().toSeconds());
                remember(person.get(), puppetUri);
            }
            send(cast(a.notification()));
        } else if (decision instanceof PresenceSubscriptions.Ended<?> e) {
            endpoint.respond(st, request, Response.OK, null, r -> ok(r, localTag, 0, puppetUri));
            send(cast(e.notification()));
        } else if (decision instanceof PresenceSubscriptions.TooBrief t) {
            endpoint.respond(st, request, Response.INTERVAL_TOO_BRIEF, null, r -> minExpires(r, t.minExpires()));
        } else if (decision instanceof PresenceSubscriptions.Overloaded o) {
            endpoint.respond(st, request, Response.SERVICE_UNAVAILABLE, "Too many subscriptions",
                    r -> endpoint.retryAfter(r, (int) o.retryAfter().toSeconds()));
        } else {
            endpoint.respond(st, request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "Subscription does not exist",
                    null);
        }
    }

    @SuppressWarnings("unchecked")
    private static Optional<PresenceSubscriptions.Notify<Dialog>> cast(Optional<?> n) {
        return (Optional<PresenceSubscriptions.Notify<Dialog>>) n;
    }

    /** A person of another network whose puppet {@code uri} is, or empty (a room, a foreign host, nonsense). */
    private Optional<UserRef> puppetOf(URI uri) {
        if (!(uri instanceof SipURI s) || s.getUser() == null) {
            return Optional.empty();
        }
        return syntax.target(s.getUser(), s.getHost()) instanceof SipAddressSyntax.Person p
                ? Optional.of(p.person()) : Optional.empty();
    }

    private Optional<SipPresence> current(UserRef person) {
        return directory.lastKnown(person).map(PresenceServer::toSip);
    }

    private static SipPresence toSip(PresenceEvent e) {
        return new SipPresence(e.presence(), e.note());
    }

    /** Records a puppet for a watched person, so that the router sends their presence changes here. */
    private void remember(UserRef person, String puppetUri) {
        if (puppets == null) {
            return;
        }
        try {
            if (puppets.find(person, network).isEmpty()) {
                puppets.save(new Puppet(person, network,
                        RemoteUserId.of(puppetUri), Profile.EMPTY, clock.instant()));
            }
        } catch (RuntimeException e) {
            LOG.warn("SIP presence: could not record the puppet {}: {}", puppetUri, e.toString());
        }
    }

    private Dialog newDialog(Request request, FromHeader from, ToHeader to, CallIdHeader callId) {
        ContactHeader contact = (ContactHeader) request.getHeader(ContactHeader.NAME);
        String target = contact != null ? contact.getAddress().getURI().toString()
                : from.getAddress().getURI().toString();
        List<String> routes = new ArrayList<>();
        ListIterator<?> rr = request.getHeaders(RecordRouteHeader.NAME);
        while (rr != null && rr.hasNext()) {
            routes.add(((RecordRouteHeader) rr.next()).getAddress().toString());
        }
        return new Dialog(callId.getCallId(), UUID.randomUUID().toString().replace("-", "").substring(0, 16),
                from.getTag(), to.getAddress().getURI().toString(), from.getAddress().getURI().toString(), target,
                routes);
    }

    /** The 2xx: the local tag, Expires, a Contact (RFC 6665 §4.2.1.1 requires one). */
    private void ok(Response r, String localTag, long expires, String puppetUri) {
        try {
            ((ToHeader) r.getHeader(ToHeader.NAME)).setTag(localTag);
            r.setHeader(endpoint.headers().createExpiresHeader((int) expires));
            r.setHeader(contact(puppetUri, "udp"));
        } catch (Exception e) {
            LOG.debug("SUBSCRIBE 2xx headers: {}", e.toString());
        }
    }

    private ContactHeader contact(String puppetUri, String transport) throws ParseException {
        ListeningPoint lp = endpoint.listeningPoint(transport);
        SipURI puppet = (SipURI) endpoint.addresses().createURI(puppetUri);
        SipURI c = endpoint.addresses().createSipURI(puppet.getUser(), lp.getIPAddress());
        c.setPort(lp.getPort());
        return endpoint.headers().createContactHeader(endpoint.addresses().createAddress(c));
    }

    private void allowEvents(Response r) {
        try {
            AllowEventsHeader h = endpoint.headers().createAllowEventsHeader(EVENT);
            r.setHeader(h);
        } catch (Exception e) {
            LOG.debug("Allow-Events: {}", e.toString());
        }
    }

    private void minExpires(Response r, Duration min) {
        try {
            MinExpiresHeader h = endpoint.headers().createMinExpiresHeader((int) min.toSeconds());
            r.setHeader(h);
        } catch (Exception e) {
            LOG.debug("Min-Expires: {}", e.toString());
        }
    }

    /** A person's presence changed (router thread): NOTIFY every phone watching their puppet. */
    public void onPresence(PresenceEvent event) {
        Optional<String> puppet = syntax.puppetUri(event.sender());
        if (puppet.isEmpty()) {
            return;
        }
        for (PresenceSubscriptions.Notify<Dialog> n : subs.onPresence(puppet.get(), Optional.of(toSip(event)))) {
            send(Optional.of(n));
        }
    }

    /** Ends expired subscriptions (scheduler thread). */
    public void sweep() {
        for (PresenceSubscriptions.Notify<Dialog> n : subs.sweep()) {
            send(Optional.of(n));
        }
    }

    /** At shutdown: {@code terminated;reason=deactivated} to every watcher, waiting at most {@code wait} for answers. */
    public void terminateAll(Duration wait) {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (PresenceSubscriptions.Notify<Dialog> n : subs.terminateAll()) {
            sent.add(send(Optional.of(n)));
        }
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("SIP presence: not every watcher answered the final NOTIFY: {}", e.toString());
        }
    }

    private CompletableFuture<?> send(Optional<PresenceSubscriptions.Notify<Dialog>> notify) {
        if (notify.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        PresenceSubscriptions.Notify<Dialog> n = notify.get();
        Request request;
        try {
            request = buildNotify(n, "udp");
            int size = request.toString().getBytes(StandardCharsets.UTF_8).length;
            if (!"udp".equals(ProxyRouter.transportFor(size, udpMaxBytes))) {
                request = buildNotify(n, "tcp");
            }
        } catch (Exception e) {
            LOG.warn("SIP NOTIFY for {} not built: {}", n.puppetUri(), e.toString());
            subs.onNotifyTimeout(n.key());
            notifyFailures.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }
        notifies.incrementAndGet();
        return endpoint.send(request, notifyTimeout).thenAccept(o -> {
            if (o.status() >= 300) {
                notifyFailures.incrementAndGet();
                LOG.info("SIP NOTIFY to {} for {} answered {} {}: subscription ended", n.watcherUri(), n.puppetUri(),
                        o.status(), o.reason());
            }
            subs.onNotifyAnswered(n.key(), o.status()).ifPresent(next -> send(Optional.of(next)));
        });
    }

    private Request buildNotify(PresenceSubscriptions.Notify<Dialog> n, String transport) throws Exception {
        Dialog d = n.dialog();
        var af = endpoint.addresses();
        var hf = endpoint.headers();
        URI requestUri = af.createURI(d.remoteTarget);
        Address from = af.createAddress(af.createURI(d.localUri));
        Address to = af.createAddress(af.createURI(d.remoteUri));
        ListeningPoint lp = endpoint.listeningPoint(transport);
        ViaHeader via = hf.createViaHeader(lp.getIPAddress(), lp.getPort(), transport, null);
        Request r = endpoint.messages().createRequest(requestUri, Request.NOTIFY, hf.createCallIdHeader(d.callId),
                hf.createCSeqHeader(d.cseq.incrementAndGet(), Request.NOTIFY), hf.createFromHeader(from, d.localTag),
                hf.createToHeader(to, d.remoteTag), List.of(via), hf.createMaxForwardsHeader(70));
        for (String route : d.routeSet) {
            r.addHeader(hf.createRouteHeader(af.createAddress(route)));
        }
        r.addHeader(hf.createEventHeader(EVENT));
        SubscriptionStateHeader ss = hf.createSubscriptionStateHeader(
                n.terminated() ? SubscriptionStateHeader.TERMINATED : SubscriptionStateHeader.ACTIVE);
        if (n.terminated()) {
            ss.setReasonCode(n.reason());
        } else {
            ss.setExpires((int) n.expires());
        }
        r.addHeader(ss);
        r.addHeader(contact(n.puppetUri(), transport));
        if (n.state().isPresent()) {
            String[] type = PidfWriter.CONTENT_TYPE.split("/");
            r.setContent(PidfWriter.writeBytes(n.puppetUri(), n.state().get()), hf.createContentTypeHeader(type[0],
                    type[1]));
        }
        return r;
    }

    /** Live subscriptions of phones to puppets. */
    public int subscriptions() {
        return subs.size();
    }

    /** Distinct phones watching puppets. */
    public int watchers() {
        return subs.watcherCount();
    }

    /** Puppets watched by at least one phone. */
    public int watchedPuppets() {
        return subs.puppetCount();
    }

    /** SUBSCRIBEs answered 503 by the caps. */
    public long refused() {
        return subs.refusedCount();
    }

    public long notifiesSent() {
        return notifies.get();
    }

    public long notifyFailures() {
        return notifyFailures.get();
    }

    /** One line for the adapter state's detail. */
    public String summary() {
        return String.format(Locale.ROOT, "presence: %d subscriptions from %d watchers to %d puppets, %d refused (503)",
                subscriptions(), watchers(), watchedPuppets(), refused());
    }

}
