package org.bridgeappliance.adapter.sip;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import javax.sip.ServerTransaction;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AcceptHeader;
import javax.sip.header.AllowHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentEncodingHeader;
import javax.sip.header.ContentLengthHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.bridgeappliance.adapter.sip.address.DirectChatId;
import org.bridgeappliance.adapter.sip.address.SipAddressSyntax;
import org.bridgeappliance.adapter.sip.convert.ContentCoding;
import org.bridgeappliance.adapter.sip.convert.InboundBody;
import org.bridgeappliance.adapter.sip.convert.SipInboundConverter;
import org.bridgeappliance.adapter.sip.offline.OfflineQueue;
import org.bridgeappliance.adapter.sip.offline.SipStore;
import org.bridgeappliance.adapter.sip.outbound.PhoneSender;
import org.bridgeappliance.adapter.sip.room.RoomCommand;
import org.bridgeappliance.adapter.sip.room.RoomNames;
import org.bridgeappliance.adapter.sip.stack.SipEndpoint;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.RemoteRoomId;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.EventMeta;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.ReadMarkerEvent;
import org.bridgeappliance.core.model.RoomEvent;
import org.bridgeappliance.core.model.TypingEvent;
import org.bridgeappliance.core.port.AdapterContext;
import org.bridgeappliance.core.port.EventIngress;
import org.bridgeappliance.core.port.IngressUnavailableException;
import org.bridgeappliance.core.store.BridgedRoom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers inbound requests on the adapter's worker threads (never Jain-SIP's): OPTIONS 200, pager-mode
 * MESSAGE (RFC 3428) to puppet and room URIs, everything else 405.
 *
 * <p>A MESSAGE is answered 202 only after {@link EventIngress#submit} returned (the event is durably queued);
 * a retransmission with the same (From, Call-ID, CSeq) gets the first answer again without a second copy (the
 * router also deduplicates by remote id across restarts); 404 unknown URI, 413 too large, 415 with Accept,
 * 483 on Max-Forwards 0, 503 + Retry-After when the core cannot queue.
 */
final class InboundHandler {
    private static final Logger LOG = LoggerFactory.getLogger(InboundHandler.class);
    private static final int ANSWER_CACHE = 10_000;

    private final SipSettings settings;
    private final SipAddressSyntax syntax;
    private final SipEndpoint endpoint;
    private final SipStore store;
    private final OfflineQueue offline;
    private final PhoneSender sender;
    private final Executor background;
    private final AdapterContext context;
    /** (From, Call-ID, CSeq) of recent MESSAGEs and the status they got; bounded, oldest evicted. */
    private final Map<String, Integer> answered = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > ANSWER_CACHE;
        }
    };

    /** Room names made unique per room; the adapter shares its own through {@link #useNames}. */
    private RoomNames names = new RoomNames(10_000, 1_000);

    InboundHandler(SipSettings settings, SipAddressSyntax syntax, SipEndpoint endpoint, SipStore store,
                   OfflineQueue offline, PhoneSender sender, Executor background, AdapterContext context) {
        this.settings = settings;
        this.syntax = syntax;
        this.endpoint = endpoint;
        this.store = store;
        this.offline = offline;
        this.sender = sender;
        this.background = background;
        this.context = context;
    }

    /** Shares the adapter's room names, so every network's authors are unique together. */
    void useNames(RoomNames shared) {
        this.names = shared;
    }

    /** Entry point from {@link SipEndpoint}, on a worker thread. */
    void handle(ServerTransaction st, Request request, String remote) {
        try {
            switch (request.getMethod()) {
                case Request.OPTIONS -> {
                    endpoint.respond(st, request, Response.OK, null, r -> {
                        allow(r);
                        accept(r);
                    });
                    // The registrar's notice of a REGISTER (deploy/sandbox kamailio.cfg) comes From the phone.
                    flushFor(request);
                }
                case Request.MESSAGE -> message(st, request);
                default -> endpoint.respond(st, request, Response.METHOD_NOT_ALLOWED, null, this::allow);
            }
        } catch (RuntimeException e) {
            LOG.warn("SIP {} failed", request.getMethod(), e);
            endpoint.respond(st, request, Response.SERVER_INTERNAL_ERROR, "Internal error", null);
        }
    }

    private void message(ServerTransaction st, Request request) {
        MaxForwardsHeader mf = (MaxForwardsHeader) request.getHeader(MaxForwardsHeader.NAME);
        if (mf != null && mf.getMaxForwards() == 0) {
            endpoint.respond(st, request, Response.TOO_MANY_HOPS, null, null);
            return;
        }
        FromHeader fromHeader = (FromHeader) request.getHeader(FromHeader.NAME);
        Optional<String> sender = fromHeader == null ? Optional.empty() : personOf(fromHeader.getAddress().getURI());
        if (sender.isEmpty() || syntax.isOwnHost(sender.get().substring(sender.get().lastIndexOf('@') + 1))) {
            endpoint.respond(st, request, Response.FORBIDDEN, "Sender must be a SIP person", null);
            return;
        }
        String phone = sender.get();
        // Any request from a phone means it is reachable again: send what waited for it (msilo's m_dump).
        background.execute(() -> offline.flush(phone));

        byte[] raw = request.getRawContent() == null ? new byte[0] : request.getRawContent();
        ContentLengthHeader cl = request.getContentLength();
        if (raw.length > settings.maxBodyBytes() || (cl != null && cl.getContentLength() > settings.maxBodyBytes())) {
            endpoint.respond(st, request, Response.REQUEST_ENTITY_TOO_LARGE, null, null);
            return;
        }
        String key = phone + "|" + ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId() + "|"
                + ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        Integer earlier;
        synchronized (answered) {
            earlier = answered.get(key);
        }
        if (earlier != null) {
            endpoint.respond(st, request, earlier, null, null);
            return;
        }
        URI ruri = request.getRequestURI();
        if (!(ruri instanceof SipURI sipUri)) {
            endpoint.respond(st, request, Response.NOT_FOUND, "Not a SIP URI", null);
            return;
        }
        SipAddressSyntax.Target target = syntax.target(sipUri.getUser(), sipUri.getHost());
        if (target instanceof SipAddressSyntax.Room r && r.slug().chars().allMatch(Character::isDigit)) {
            // a numeric alias an admin gave a room (keypads dial digits; no mapped room has those digits as its
            // name: SipAdapter#setAlias refuses that)
            Optional<String> aliased = store.roomOfAlias(r.slug());
            if (aliased.isPresent()) {
                target = new SipAddressSyntax.Room(aliased.get());
            }
        }
        target = personAlias(target, sipUri);
        if (target instanceof SipAddressSyntax.Unknown u) {
            endpoint.respond(st, request, Response.NOT_FOUND, null, null);
            LOG.debug("SIP MESSAGE to {}: {}", ruri, u.why());
            return;
        }
        ContentEncodingHeader ce = (ContentEncodingHeader) request.getHeader(ContentEncodingHeader.NAME);
        ContentCoding.Result coded = ContentCoding.decode(ce == null ? null : ce.getEncoding(), raw,
                settings.maxBodyBytes());
        if (coded instanceof ContentCoding.Result.Unsupported) {
            endpoint.respond(st, request, Response.UNSUPPORTED_MEDIA_TYPE, null, this::acceptEncoding);
            return;
        }
        if (coded instanceof ContentCoding.Result.Invalid inv) {
            endpoint.respond(st, request, Response.BAD_REQUEST, inv.reason(), null);
            return;
        }
        if (coded instanceof ContentCoding.Result.TooLarge) {
            endpoint.respond(st, request, Response.REQUEST_ENTITY_TOO_LARGE, null, null);
            return;
        }
        byte[] content = ((ContentCoding.Result.Decoded) coded).body();
        ContentTypeHeader ct = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        String contentType = ct == null ? null : ct.getContentType() + "/" + ct.getContentSubType()
                + (ct.getParameter("charset") == null ? "" : ";charset=" + ct.getParameter("charset"));
        InboundBody body = SipInboundConverter.decode(contentType, content);
        if (body instanceof InboundBody.Text && contentType != null && contentType.regionMatches(true, 0,
                "message/cpim", 0, 12)) {
            this.sender.usedCpim(phone); // CPIM only to contacts that used it first
        }
        if (body instanceof InboundBody.Unsupported) {
            endpoint.respond(st, request, Response.UNSUPPORTED_MEDIA_TYPE, null, this::accept);
            return;
        }
        if (body instanceof InboundBody.Invalid inv) {
            endpoint.respond(st, request, Response.BAD_REQUEST, inv.reason(), null);
            return;
        }
        String display = fromHeader.getAddress().getDisplayName();
        Profile profile = new Profile(Optional.ofNullable(display).map(String::strip).filter(s -> !s.isEmpty()),
                Optional.empty());
        UserRef author = new UserRef(SipAdapter.NETWORK, RemoteUserId.of(phone));
        String remoteId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId() + "#"
                + ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        int status;
        if (target instanceof SipAddressSyntax.Person p) {
            status = direct(phone, author, profile, p.person(), sipUri, body, remoteId);
        } else {
            status = room(phone, author, profile, ((SipAddressSyntax.Room) target).slug(), body, remoteId);
        }
        if (status == Response.SERVICE_UNAVAILABLE) {
            endpoint.respond(st, request, status, "Bridge queue unavailable", r -> endpoint.retryAfter(r, 10));
            return;
        }
        synchronized (answered) {
            answered.put(key, status);
        }
        endpoint.respond(st, request, status, null, null);
        if (status == Response.ACCEPTED && body instanceof InboundBody.Text t && t.deliveryNotification().isPresent()) {
            // durably accepted, and the phone asked to be told (RFC 5438): From the URI it wrote to (the puppet's
            // or room's own URI when it dialled an alias)
            String to = target instanceof SipAddressSyntax.Person p ? syntax.puppetUri(p.person()).orElseThrow()
                    : syntax.roomUri(((SipAddressSyntax.Room) target).slug());
            InboundBody.DeliveryRequest asked = t.deliveryNotification().get();
            background.execute(() -> this.sender.sendDelivered(phone, to, asked).thenAccept(sent -> {
                if (sent.result() != PhoneSender.Result.DELIVERED) {
                    LOG.info("SIP: delivery notification to {} not taken: {} {}", phone, sent.status(), sent.reason());
                }
            }));
        }
    }

    /**
     * A numeric alias an admin gave a Matrix or XMPP person ({@code sip:7001@D}, the bridge's bare domain, where
     * the sandbox's Kamailio sends 7000-7999; also at {@code rooms.D} when no room has it as alias or name, as the
     * number spaces are one): the same as writing to that person's puppet URI.
     */
    private SipAddressSyntax.Target personAlias(SipAddressSyntax.Target target, SipURI ruri) {
        String user = ruri.getUser();
        boolean bare = ruri.getHost() != null && ruri.getHost().equalsIgnoreCase(syntax.domain());
        boolean unmappedNumber = target instanceof SipAddressSyntax.Unknown
                || target instanceof SipAddressSyntax.Room r && r.slug().equals(user) && context.stores().rooms()
                        .findByPortal(new Portal(SipAdapter.NETWORK, RemoteRoomId.of(syntax.roomUri(user)))).isEmpty();
        if (!unmappedNumber || user == null || user.isEmpty() || user.length() > 16
                || !user.chars().allMatch(c -> c >= '0' && c <= '9')
                || !(bare || target instanceof SipAddressSyntax.Room)) {
            return target;
        }
        return store.personOfAlias(user).filter(p -> syntax.puppetUri(p).isPresent())
                .<SipAddressSyntax.Target>map(SipAddressSyntax.Person::new).orElse(target);
    }

    private int direct(String phone, UserRef author, Profile profile, UserRef peer, SipURI ruri, InboundBody body,
                       String remoteId) {
        String puppet = syntax.puppetUri(peer).orElseThrow();
        Portal origin = new Portal(SipAdapter.NETWORK, RemoteRoomId.of(new DirectChatId(phone, puppet).value()));
        if (context.stores().rooms().findByPortal(origin).isEmpty()
                && context.portals().ensureDirectChat(origin, author, peer).isEmpty()) {
            return Response.NOT_FOUND;
        }
        return submit(origin, author, profile, body, remoteId);
    }

    private int room(String phone, UserRef author, Profile profile, String slug, InboundBody body, String remoteId) {
        String roomUri = syntax.roomUri(slug);
        Portal origin = new Portal(SipAdapter.NETWORK, RemoteRoomId.of(roomUri));
        Optional<BridgedRoom> room = context.stores().rooms().findByPortal(origin);
        if (room.isEmpty()) {
            return Response.NOT_FOUND;
        }
        String roomName = room.get().name();
        if (body instanceof InboundBody.Text t) {
            Optional<RoomCommand> command = RoomCommand.parse(t.text());
            if (command.isPresent()) {
                background.execute(() -> command(phone, slug, roomUri, roomName, command.get()));
                return Response.OK;
            }
        }
        if (!store.members(slug).contains(phone)) {
            if (body instanceof InboundBody.Text) {
                background.execute(() -> notice(phone, roomUri, roomName, "*** You are not a member of " + roomName
                        + (settings.roomsOpen() ? ". Send #join to join it." : ". Ask an admin to add you.")));
            }
            return Response.FORBIDDEN;
        }
        int status = submit(origin, author, profile, body, remoteId);
        if (status == Response.ACCEPTED && body instanceof InboundBody.Text t) {
            // The router never delivers back to the origin portal: the room's other phones get it from here.
            String name = profile.displayName().orElse(phone.substring(0, phone.lastIndexOf('@')));
            String line = "[" + names.shown(slug, author.toString(), name) + "] " + t.text();
            for (String member : store.members(slug)) {
                if (!member.equals(phone)) {
                    background.execute(() -> SipAdapter.sendOrQueue(sender, offline, background, settings, member,
                            roomUri, roomName, line, author.toString()));
                }
            }
        }
        return status;
    }

    private int submit(Portal origin, UserRef author, Profile profile, InboundBody body, String remoteId) {
        EventMeta meta = new EventMeta(origin, author, profile, Optional.of(RemoteMessageId.of(remoteId)),
                context.clock().instant());
        RoomEvent event;
        int ok = Response.ACCEPTED;
        if (body instanceof InboundBody.Text t) {
            String id = t.messageId().map(m -> "imdn:" + m).orElse(remoteId);
            meta = new EventMeta(origin, author, profile, Optional.of(RemoteMessageId.of(id)), meta.timestamp());
            if (t.text().isBlank()) {
                return Response.OK; // nothing to show; an empty MESSAGE is not an error
            }
            event = MessageEvent.text(meta, t.text());
        } else if (body instanceof InboundBody.Composing c) {
            sender.usedComposing(author.user().value()); // typing goes back only to phones that sent it
            event = new TypingEvent(meta, c.active());
            ok = Response.OK;
        } else if (body instanceof InboundBody.Disposition d) {
            if (!d.displayed()) {
                return Response.OK; // delivery notices have no canonical event; answered 200 (RFC 5438 §7)
            }
            // Without CPIM, phones name the message by the Call-ID we sent it with, which is our remote id.
            event = new ReadMarkerEvent(meta, RemoteMessageId.of(d.messageId()));
            ok = Response.OK;
        } else {
            return Response.BAD_REQUEST;
        }
        try {
            EventIngress.Acceptance a = context.ingress().submit(event);
            return switch (a) {
                case QUEUED, DUPLICATE -> ok;
                case ECHO, UNKNOWN_REFERENCE -> Response.OK;
                case NOT_BRIDGED -> Response.NOT_FOUND;
            };
        } catch (IngressUnavailableException e) {
            LOG.warn("SIP MESSAGE not queued: {}", e.getMessage());
            return Response.SERVICE_UNAVAILABLE;
        }
    }

    private void command(String phone, String slug, String roomUri, String roomName, RoomCommand command) {
        String answer = switch (command) {
            case JOIN -> {
                if (!settings.roomsOpen() && !store.members(slug).contains(phone)) {
                    yield "*** " + roomName + " is closed: ask an admin to add you.";
                }
                yield store.addMember(slug, phone) ? "*** You joined " + roomName + ". #help lists the commands."
                        : "*** You are already in " + roomName + ".";
            }
            case LEAVE -> store.removeMember(slug, phone) ? "*** You left " + roomName + "."
                    : "*** You are not in " + roomName + ".";
            case MEMBERS -> "*** SIP members of " + roomName + ": " + String.join(", ", new TreeSet<>(store.members(slug)));
            case HELP -> RoomCommand.HELP_TEXT;
        };
        notice(phone, roomUri, roomName, answer);
    }

    private void notice(String phone, String roomUri, String roomName, String text) {
        SipAdapter.sendOrQueue(sender, offline, background, settings, phone, roomUri, roomName, text, "bridge");
    }

    private void flushFor(Request request) {
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        Optional<String> person = from == null ? Optional.empty() : personOf(from.getAddress().getURI());
        person.filter(p -> !syntax.isOwnHost(p.substring(p.lastIndexOf('@') + 1)))
                .ifPresent(p -> background.execute(() -> offline.flush(p)));
    }

    private Optional<String> personOf(URI uri) {
        if (!(uri instanceof SipURI s)) {
            return Optional.empty();
        }
        return SipAddressSyntax.personId(s.getUser(), s.getHost());
    }

    private void allow(Response r) {
        try {
            for (String m : List.of(Request.MESSAGE, Request.OPTIONS)) {
                AllowHeader h = endpoint.headers().createAllowHeader(m);
                r.addHeader(h);
            }
        } catch (Exception e) {
            LOG.debug("Allow: {}", e.toString());
        }
    }

    /** RFC 3261 §8.2.3: a 415 for an unknown Content-Encoding lists the codings understood. */
    private void acceptEncoding(Response r) {
        try {
            for (String coding : ContentCoding.ACCEPTED.split(",\\s*")) {
                r.addHeader(endpoint.headers().createAcceptEncodingHeader(coding));
            }
        } catch (Exception e) {
            LOG.debug("Accept-Encoding: {}", e.toString());
        }
    }

    private void accept(Response r) {
        try {
            for (String type : SipInboundConverter.ACCEPT.split(",\\s*")) {
                String[] parts = type.split("/");
                AcceptHeader h = endpoint.headers().createAcceptHeader(parts[0], parts[1]);
                r.addHeader(h);
            }
        } catch (Exception e) {
            LOG.debug("Accept: {}", e.toString());
        }
    }
}
