package org.bridgeappliance.adapter.sip.presence;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.ListeningPoint;
import javax.sip.ServerTransaction;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.AcceptHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.EventHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.RetryAfterHeader;
import javax.sip.header.SubscriptionStateHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.bridgeappliance.adapter.sip.address.DirectChatId;
import org.bridgeappliance.adapter.sip.address.SipAddressSyntax;
import org.bridgeappliance.adapter.sip.offline.SipStore;
import org.bridgeappliance.adapter.sip.stack.SipEndpoint;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.PresenceEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.store.BridgeStores;
import org.bridgeappliance.core.store.BridgedRoom;
import org.bridgeappliance.core.store.IdentityLink;
import org.bridgeappliance.core.store.Puppet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance learning phones' presence: {@link PhoneWatchList} wired to Jain-SIP. It SUBSCRIBEs, from one
 * service URI, at the site's presence server (Kamailio {@code presence}, reached through the proxy) to the AOR of
 * every SIP person who is a member of a bridged SIP room, is in a direct chat, or has an identity link; answers
 * the NOTIFYs (also one that overtakes its SUBSCRIBE's 2xx) and submits each change of a phone's state to the
 * core as a {@link PresenceEvent} of that SIP person, so their XMPP puppet and Matrix ghost show it.
 *
 * <p>The set of watched AORs is {@linkplain #reconcile reconciled} with the stores periodically (rooms, their
 * SIP members, direct chats, identity links). Each subscription dialog is kept by hand (no automatic dialog
 * support): the presence server's tag and Contact, and the local CSeq.
 *
 * <p>Threads: {@link #handle} (NOTIFY) on the adapter's inbound workers; {@link #tick} and {@link #reconcile} on
 * the adapter's scheduler; SUBSCRIBE answers on Jain-SIP's thread (which only updates state and hands new
 * requests to the stack).
 */
public final class PhoneWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(PhoneWatcher.class);
    private static final String EVENT = "presence";

    private final SipAddressSyntax syntax;
    private final SipEndpoint endpoint;
    private final PhoneWatchList list;
    private final String serviceUri;
    private final Network network;
    private final List<String> puppetNetworks;
    private final EventIngress ingress;
    private final BridgeStores stores;
    private final SipStore sipStore;
    private final Clock clock;
    private final Duration requestTimeout;
    private final Map<PhoneWatchList.DialogId, Remote> remotes = new ConcurrentHashMap<>();
    /** The last state submitted per AOR: a refresh's NOTIFY repeats it and is not submitted again. */
    private final Map<String, SipPresence> last = new ConcurrentHashMap<>();
    /** The (AOR, reason) pairs applied to {@link #list} by the last {@link #reconcile}. */
    private final Set<Watched> applied = new HashSet<>();
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong refusedBodies = new AtomicLong();

    private record Watched(String aor, PhoneWatchList.Reason reason) {
    }

    /** The presence server's side of one dialog: its tag and Contact once known, and this side's CSeq. */
    private static final class Remote {
        volatile String tag;
        volatile String target;
        final AtomicLong cseq = new AtomicLong();
    }

    /**
     * @param serviceUri     the From of every SUBSCRIBE ({@code sip:presence@D}), the watcher the presence
     *                       server sees
     * @param puppetNetworks networks whose puppets' profiles give a phone's presence its name
     */
    public PhoneWatcher(SipAddressSyntax syntax, SipEndpoint endpoint, PhoneWatchList list, String serviceUri,
                        Network network, List<String> puppetNetworks, EventIngress ingress, BridgeStores stores,
                        SipStore sipStore, Clock clock, Duration requestTimeout) {
        this.syntax = syntax;
        this.endpoint = endpoint;
        this.list = list;
        this.serviceUri = serviceUri;
        this.network = network;
        this.puppetNetworks = List.copyOf(puppetNetworks);
        this.ingress = ingress;
        this.stores = stores;
        this.sipStore = sipStore;
        this.clock = clock;
        this.requestTimeout = requestTimeout;
    }

    /** Whether this class answers {@code request}: a NOTIFY. */
    public static boolean handles(Request request) {
        return Request.NOTIFY.equals(request.getMethod());
    }

    /**
     * Brings the watch list in line with the stores: every SIP member of an enabled bridged SIP room, every phone
     * of a direct chat, every SIP side of an identity link (scheduler thread).
     */
    public synchronized void reconcile() {
        Set<Watched> wanted = new HashSet<>();
        for (BridgedRoom room : stores.rooms().all()) {
            if (!room.enabled()) {
                continue;
            }
            Optional<Portal> portal = room.portalOn(network);
            if (portal.isEmpty()) {
                continue;
            }
            String id = portal.get().room().value();
            Optional<DirectChatId> dm = DirectChatId.parse(id);
            if (dm.isPresent()) {
                wanted.add(new Watched(dm.get().phone(), new PhoneWatchList.Reason(PhoneWatchList.Kind.DIRECT_CHAT,
                        id)));
                continue;
            }
            slugOf(id).ifPresent(slug -> {
                for (String member : sipStore.members(slug)) {
                    wanted.add(new Watched(member, new PhoneWatchList.Reason(PhoneWatchList.Kind.ROOM_MEMBER,
                            room.id().toString())));
                }
            });
        }
        for (IdentityLink link : stores.identities().all()) {
            for (UserRef side : List.of(link.first(), link.second())) {
                if (side.network().equals(network)) {
                    wanted.add(new Watched(side.user().value(), new PhoneWatchList.Reason(
                            PhoneWatchList.Kind.IDENTITY_LINK, Long.toString(link.id()))));
                }
            }
        }
        wanted.removeIf(w -> w.aor().lastIndexOf('@') <= 0
                || syntax.isOwnHost(w.aor().substring(w.aor().lastIndexOf('@') + 1)));
        for (Watched w : wanted) {
            if (!applied.contains(w)) {
                PhoneWatchList.Added added = list.add(w.aor(), w.reason());
                if (added == PhoneWatchList.Added.FULL) {
                    LOG.warn("SIP presence: not watching {}: the watch list is full", w.aor());
                    continue;
                }
                applied.add(w);
            }
        }
        for (Watched w : Set.copyOf(applied)) {
            if (!wanted.contains(w)) {
                applied.remove(w);
                list.remove(w.aor(), w.reason()).ifPresent(this::send);
                if (list.aorsFor(w.reason()).isEmpty()) {
                    last.remove(w.aor());
                }
            }
        }
    }

    private Optional<String> slugOf(String roomUri) {
        int at = roomUri.lastIndexOf('@');
        if (!roomUri.regionMatches(true, 0, "sip:", 0, 4) || at < 0) {
            return Optional.empty();
        }
        return syntax.target(roomUri.substring(4, at), roomUri.substring(at + 1)) instanceof SipAddressSyntax.Room r
                ? Optional.of(r.slug()) : Optional.empty();
    }

    /** Sends the SUBSCRIBEs that are due (scheduler thread, and after an answer that calls for one at once). */
    public void tick() {
        for (PhoneWatchList.Action a : list.due()) {
            send(a);
        }
    }

    /** The proxy restarted (it forgot every subscription): subscribe to everything again, now. */
    public void onProxyRestart() {
        list.onProxyRestart();
        tick();
    }

    /** At shutdown: Expires 0 in every dialog, without waiting for answers. */
    public void stop() {
        for (PhoneWatchList.Unsubscribe u : list.stopAll()) {
            send(u);
        }
    }

    private void send(PhoneWatchList.Action action) {
        PhoneWatchList.DialogId d = action.dialog();
        Remote remote;
        long expires;
        if (action instanceof PhoneWatchList.Subscribe s) {
            remote = new Remote();
            remotes.put(d, remote);
            expires = s.expires().toSeconds();
        } else {
            remote = remotes.get(d);
            expires = action instanceof PhoneWatchList.Refresh r ? r.expires().toSeconds() : 0;
            if (remote == null || remote.tag == null || remote.target == null) {
                // Nothing to refresh in (the 2xx never told the dialog): start a new one.
                if (expires > 0) {
                    list.onResponse(d, PhoneWatchList.Response.of(481));
                }
                return;
            }
        }
        Request request;
        try {
            request = build(action.aor(), d, remote, expires);
        } catch (Exception e) {
            LOG.warn("SIP presence: SUBSCRIBE to {} not built: {}", action.aor(), e.toString());
            return;
        }
        if (expires == 0) {
            remotes.remove(d);
            endpoint.exchange(request, requestTimeout);
            return;
        }
        endpoint.exchange(request, requestTimeout).thenAccept(r -> answered(action.aor(), d, remote, r));
    }

    private void answered(String aor, PhoneWatchList.DialogId d, Remote remote, Response r) {
        try {
            if (r == null) {
                LOG.info("SIP presence: SUBSCRIBE to {} timed out", aor);
                list.onTimeout(d);
                return;
            }
            int status = r.getStatusCode();
            if (status / 100 == 2) {
                ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
                ContactHeader contact = (ContactHeader) r.getHeader(ContactHeader.NAME);
                if (to != null && to.getTag() != null) {
                    remote.tag = to.getTag();
                }
                if (contact != null) {
                    remote.target = contact.getAddress().getURI().toString();
                }
            } else {
                LOG.info("SIP presence: SUBSCRIBE to {} answered {} {}", aor, status, r.getReasonPhrase());
            }
            ExpiresHeader exp = r.getExpires();
            MinExpiresHeader min = (MinExpiresHeader) r.getHeader(MinExpiresHeader.NAME);
            RetryAfterHeader ra = (RetryAfterHeader) r.getHeader(RetryAfterHeader.NAME);
            list.onResponse(d, new PhoneWatchList.Response(status,
                    exp == null ? OptionalLong.empty() : OptionalLong.of(exp.getExpires()),
                    min == null ? OptionalLong.empty() : OptionalLong.of(min.getExpires()),
                    ra == null ? OptionalLong.empty() : OptionalLong.of(ra.getRetryAfter())));
            if (status / 100 != 2) {
                remotes.remove(d);
                tick(); // a 481 resubscribes at once
            }
        } catch (RuntimeException e) {
            LOG.warn("SIP presence: answer to the SUBSCRIBE to {} not handled", aor, e);
        }
    }

    private Request build(String aor, PhoneWatchList.DialogId d, Remote remote, long expires) throws Exception {
        var af = endpoint.addresses();
        var hf = endpoint.headers();
        boolean inDialog = remote.tag != null;
        String aorUri = SipAddressSyntax.personUri(aor);
        javax.sip.address.URI requestUri = af.createURI(inDialog && remote.target != null ? remote.target : aorUri);
        Address from = af.createAddress(af.createURI(serviceUri));
        Address to = af.createAddress(af.createURI(aorUri));
        ListeningPoint lp = endpoint.listeningPoint("udp");
        ViaHeader via = hf.createViaHeader(lp.getIPAddress(), lp.getPort(), "udp", null);
        Request r = endpoint.messages().createRequest(requestUri, Request.SUBSCRIBE, hf.createCallIdHeader(d.callId()),
                hf.createCSeqHeader(remote.cseq.incrementAndGet(), Request.SUBSCRIBE),
                hf.createFromHeader(from, d.localTag()), hf.createToHeader(to, inDialog ? remote.tag : null),
                List.of(via), hf.createMaxForwardsHeader(70));
        SipURI contact = af.createSipURI(((SipURI) af.createURI(serviceUri)).getUser(), lp.getIPAddress());
        contact.setPort(lp.getPort());
        r.addHeader(hf.createContactHeader(af.createAddress(contact)));
        r.addHeader(hf.createEventHeader(EVENT));
        AcceptHeader accept = hf.createAcceptHeader("application", "pidf+xml");
        r.addHeader(accept);
        r.addHeader(hf.createExpiresHeader((int) expires));
        return r;
    }

    /** Answers a NOTIFY (adapter worker thread). */
    public void handle(ServerTransaction st, Request request) {
        try {
            notify(st, request);
        } catch (RuntimeException e) {
            LOG.warn("SIP NOTIFY failed", e);
            endpoint.respond(st, request, Response.SERVER_INTERNAL_ERROR, "Internal error", null);
        }
    }

    private void notify(ServerTransaction st, Request request) {
        EventHeader event = (EventHeader) request.getHeader(EventHeader.NAME);
        CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        if (event == null || !EVENT.equalsIgnoreCase(event.getEventType()) || to.getTag() == null) {
            endpoint.respond(st, request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "No such subscription", null);
            return;
        }
        SubscriptionStateHeader ss = (SubscriptionStateHeader) request.getHeader(SubscriptionStateHeader.NAME);
        if (ss == null) {
            endpoint.respond(st, request, Response.BAD_REQUEST, "Subscription-State missing", null);
            return;
        }
        PhoneWatchList.DialogId d = new PhoneWatchList.DialogId(callId.getCallId(), to.getTag());
        PhoneWatchList.SubscriptionState state = new PhoneWatchList.SubscriptionState(ss.getState(),
                ss.getExpires() < 0 ? OptionalLong.empty() : OptionalLong.of(ss.getExpires()),
                Optional.ofNullable(ss.getReasonCode()),
                ss.getRetryAfter() < 0 ? OptionalLong.empty() : OptionalLong.of(ss.getRetryAfter()));
        PhoneWatchList.NotifyVerdict verdict = list.onNotify(d, state);
        if (!verdict.accepted() || verdict.aor().isEmpty()) {
            endpoint.respond(st, request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, "No such subscription", null);
            return;
        }
        Optional<SipPresence> body = Optional.empty();
        byte[] raw = request.getRawContent();
        if (raw != null && raw.length > 0) {
            try {
                body = Optional.of(PidfReader.read(raw));
            } catch (PidfException e) {
                // The subscription stands; the phone keeps its previous state on the other networks.
                refusedBodies.incrementAndGet();
                LOG.info("SIP presence: NOTIFY body for {} refused: {}", verdict.aor().get(), e.getMessage());
                endpoint.respond(st, request, Response.BAD_REQUEST, "Bad PIDF", null);
                return;
            }
        }
        Remote remote = remotes.get(d);
        if (remote != null && remote.tag == null) {
            // The NOTIFY overtook the 2xx: it tells the dialog (RFC 6665 §4.1.2.4).
            remote.tag = from.getTag();
            ContactHeader contact = (ContactHeader) request.getHeader(ContactHeader.NAME);
            if (contact != null) {
                remote.target = contact.getAddress().getURI().toString();
            }
        }
        endpoint.respond(st, request, Response.OK, null, null);
        body.ifPresent(b -> publish(verdict.aor().get(), b));
        if (SubscriptionStateHeader.TERMINATED.equalsIgnoreCase(ss.getState())) {
            remotes.remove(d);
            tick();
        }
    }

    /** Submits a phone's new state to the core (not a repeat of the last one). */
    private void publish(String aor, SipPresence state) {
        SipPresence before = last.put(aor, state);
        if (state.equals(before)) {
            return;
        }
        UserRef person = new UserRef(network, RemoteUserId.of(aor));
        try {
            ingress.submit(new PresenceEvent(person, state.presence(), state.note(), profileOf(person),
                    clock.instant()));
            submitted.incrementAndGet();
            LOG.info("SIP presence: {} is {}", aor, state.presence());
        } catch (RuntimeException e) {
            last.remove(aor, state);
            LOG.warn("SIP presence of {} not submitted: {}", aor, e.toString());
        }
    }

    /** The name the person's puppets already show (a presence event must not blank it). */
    private Profile profileOf(UserRef person) {
        for (String n : puppetNetworks) {
            Optional<Puppet> p = stores.puppets().find(person, Network.of(n));
            if (p.isPresent()) {
                return p.get().profile();
            }
        }
        return Profile.EMPTY;
    }

    /** AORs watched. */
    public int watched() {
        return list.watchedCount();
    }

    /** AORs with a confirmed subscription. */
    public int active() {
        return list.activeCount();
    }

    /** AORs whose last attempt failed. */
    public int failing() {
        return list.failingCount();
    }

    /** NOTIFY bodies refused as bad or hostile PIDF (answered 400). */
    public long refusedBodies() {
        return refusedBodies.get();
    }

    /** Phone presence changes submitted to the core. */
    public long submitted() {
        return submitted.get();
    }

    /** One line for the adapter state's detail. */
    public String summary() {
        return "watching " + watched() + " phones (" + active() + " subscribed, " + failing() + " failing)";
    }
}
