package org.bridgeappliance.adapter.xmpp.dispatch;

import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.address.PuppetAddressing;
import org.bridgeappliance.adapter.xmpp.component.ComponentConnection;
import org.bridgeappliance.adapter.xmpp.component.ComponentStreams;
import org.bridgeappliance.adapter.xmpp.component.StreamElement;
import org.bridgeappliance.adapter.xmpp.component.StreamException;
import org.bridgeappliance.adapter.xmpp.direct.DirectChats;
import org.bridgeappliance.adapter.xmpp.disco.DiscoResponder;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.adapter.xmpp.gateway.GatewayRooms;
import org.bridgeappliance.adapter.xmpp.muc.MucPortals;
import org.bridgeappliance.adapter.xmpp.puppet.PuppetDirectory;
import org.bridgeappliance.core.id.UserRef;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.iqversion.packet.Version;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place an inbound stanza, from any of the component streams, is routed to the feature that handles it.
 * Messages and presences follow one ladder ({@link #route}): from a bridged MUC to {@link MucPortals}; our own
 * stanzas routed back are dropped; to a gateway room to {@link GatewayRooms}; to a puppet to {@link DirectChats};
 * anything else is answered (item-not-found for a message, {@code subscribed} for a subscription to a component
 * itself). IQs: ping, disco, version and vCard are answered here, gateway rooms' IQs by {@link GatewayRooms}, the
 * rest with service-unavailable (RFC 6120 §8.3.3.19).
 *
 * <p>Threading: the shared inbound thread of {@link ComponentStreams}, in stream order.
 */
public final class StanzaDispatcher implements ComponentConnection.Handler {
    private static final Logger LOG = LoggerFactory.getLogger(StanzaDispatcher.class);

    /** Where a message or presence goes. */
    enum Route { MUC, OWN_ECHO, GATEWAY, PUPPET, NOBODY }

    private final ComponentStreams streams;
    private final PuppetAddressing addressing;
    private final PuppetDirectory puppets;
    private final MucPortals mucs;
    private final GatewayRooms gateways;
    private final DirectChats directs;
    private final DiscoResponder disco;

    public StanzaDispatcher(ComponentStreams streams, PuppetDirectory puppets, MucPortals mucs, GatewayRooms gateways,
                            DirectChats directs, DiscoResponder disco) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.puppets = Objects.requireNonNull(puppets, "puppets");
        this.addressing = puppets.addressing();
        this.mucs = Objects.requireNonNull(mucs, "mucs");
        this.gateways = Objects.requireNonNull(gateways, "gateways");
        this.directs = Objects.requireNonNull(directs, "directs");
        this.disco = Objects.requireNonNull(disco, "disco");
    }

    @Override
    public void stanzaReceived(Stanza stanza) {
        if (stanza instanceof Message m) {
            onMessage(m);
        } else if (stanza instanceof Presence p) {
            onPresence(p);
        } else if (stanza instanceof IQ iq) {
            onIq(iq);
        }
    }

    @Override
    public void unparseable(StreamElement.Unparseable stanza) {
        LOG.info("unparseable {} from {}: {}", stanza.header().kind(), stanza.header().from(), stanza.reason());
        if ("groupchat".equals(stanza.header().type())) {
            return; // no error into a room: MUC services kick occupants that bounce errors (logged above)
        }
        StanzaErrors.replyToUnparseable(stanza.header(), StanzaErrors.error(StanzaError.Condition.bad_request,
                "The bridge could not parse this stanza.")).ifPresent(xml -> {
                    Jid to = JidCreate.fromOrNull(stanza.header().to());
                    streams.sessionFor(to).connection().ifPresent(c -> {
                        try {
                            c.sendRaw(xml);
                        } catch (ComponentConnection.NotConnectedException e) {
                            LOG.debug("bad-request not sent");
                        }
                    });
                });
    }

    @Override
    public void closed(ComponentConnection connection, StreamException cause) {
    }

    /** The ladder messages and presences share. */
    Route route(Jid from, Jid to) {
        if (mucs.isBridgedMuc(from.asBareJid())) {
            return Route.MUC;
        }
        if (addressing.isOnComponent(from)) {
            return Route.OWN_ECHO; // our own stanza routed back: never bridge it
        }
        if (gateways.isGatewayRoom(to)) {
            return Route.GATEWAY;
        }
        return addressing.person(to).isPresent() ? Route.PUPPET : Route.NOBODY;
    }

    void onMessage(Message m) {
        Jid from = m.getFrom();
        Jid to = m.getTo();
        if (from == null || to == null) {
            return;
        }
        switch (route(from, to)) {
            case MUC -> mucs.onMessage(m);
            case GATEWAY -> gateways.onMessage(m);
            case PUPPET -> directs.onMessage(m, addressing.person(to).orElseThrow());
            case NOBODY -> send(StanzaErrors.replyTo(m, StanzaErrors.error(StanzaError.Condition.item_not_found,
                    "There is no bridged user or room at this address.")));
            case OWN_ECHO -> {
            }
        }
    }

    void onPresence(Presence p) {
        Jid from = p.getFrom();
        Jid to = p.getTo();
        if (from == null || to == null) {
            return;
        }
        switch (route(from, to)) {
            case MUC -> mucs.onPresence(p);
            case GATEWAY -> gateways.onPresence(p);
            case PUPPET -> directs.onPresence(p, addressing.person(to).orElseThrow());
            case NOBODY -> {
                if (!to.hasLocalpart() && p.getType() == Presence.Type.subscribe) {
                    send(Optional.of(StanzaBuilder.buildPresence().ofType(Presence.Type.subscribed)
                            .from(to.asBareJid()).to(from.asBareJid()).build()));
                }
            }
            case OWN_ECHO -> {
            }
        }
    }

    void onIq(IQ iq) {
        if (iq.getType() == IQ.Type.result || iq.getType() == IQ.Type.error) {
            return; // an answer nobody waits for any more
        }
        IQ answer;
        if (iq instanceof Ping && iq.getType() == IQ.Type.get) {
            answer = IQ.createResultIQ(iq);
        } else if (iq instanceof DiscoverInfo info && iq.getType() == IQ.Type.get) {
            answer = disco.info(info);
        } else if (iq instanceof DiscoverItems items && iq.getType() == IQ.Type.get) {
            answer = disco.items(items);
        } else if (iq instanceof Version && iq.getType() == IQ.Type.get && !iq.getTo().hasLocalpart()) {
            // XEP-0092 for a component itself (announced in its disco#info); no OS, it is nobody's business.
            var version = new Version("bridge-appliance XMPP adapter",
                    Optional.ofNullable(StanzaDispatcher.class.getPackage().getImplementationVersion()).orElse("dev"));
            version.setType(IQ.Type.result);
            version.setStanzaId(iq.getStanzaId());
            version.setTo(iq.getFrom());
            version.setFrom(iq.getTo());
            answer = version;
        } else if (iq instanceof VCard && iq.getType() == IQ.Type.get) {
            answer = vcard(iq);
        } else if (gateways.isGatewayRoom(iq.getTo())) {
            answer = gateways.onIq(iq);
        } else {
            // RFC 6120 §8.3.3.19: an IQ for an unsupported namespace gets service-unavailable.
            answer = IQ.createErrorResponse(iq, StanzaErrors.error(StanzaError.Condition.service_unavailable, null));
        }
        send(Optional.ofNullable(answer));
    }

    private IQ vcard(IQ request) {
        Optional<UserRef> person = addressing.person(request.getTo());
        if (person.isEmpty()) {
            return IQ.createErrorResponse(request, StanzaErrors.error(StanzaError.Condition.item_not_found, null));
        }
        VCard vcard = puppets.vcard(person.get());
        vcard.setType(IQ.Type.result);
        vcard.setStanzaId(request.getStanzaId());
        vcard.setTo(request.getFrom());
        vcard.setFrom(request.getTo().asBareJid());
        return vcard;
    }

    private void send(Optional<? extends Stanza> stanza) {
        stanza.ifPresent(s -> {
            try {
                streams.send(s);
            } catch (ComponentConnection.NotConnectedException e) {
                LOG.debug("answer not sent: {}", e.getMessage());
            }
        });
    }
}
