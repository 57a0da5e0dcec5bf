package org.bridgeappliance.adapter.xmpp.disco;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.bridgeappliance.adapter.xmpp.address.ComponentDomain;
import org.bridgeappliance.adapter.xmpp.address.GatewayAddressing;
import org.bridgeappliance.adapter.xmpp.address.PuppetAddressing;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.adapter.xmpp.ext.reactions.ReactionsElement;
import org.bridgeappliance.adapter.xmpp.ext.reply.ReplyElement;
import org.bridgeappliance.adapter.xmpp.ext.retract.RetractElement;
import org.bridgeappliance.core.id.UserRef;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverInfoBuilder;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;

/**
 * XEP-0030 service discovery for the components, their puppets and their gateway rooms. Each component
 * announces {@code gateway/<network>} with its own name ("Matrix bridge", "SIP bridge") and, with the
 * gateway on, {@code conference/text} (Gajim only offers rooms of services with a conference identity:
 * matrix-bifrost #131/#138); puppets announce {@code client/bridge} ("Matrix user") and the message
 * features the bridge maps. Pure apart from the room list.
 */
public final class DiscoResponder {
    // Smack's Identity takes (category, name, type): earlier releases passed the name last and announced
    // type='Matrix bridge', which clients looking for conference/text did not recognise.
    static final List<String> PUPPET_FEATURES = List.of("http://jabber.org/protocol/disco#info", "vcard-temp",
            "urn:xmpp:receipts", "urn:xmpp:chat-markers:0", "urn:xmpp:message-correct:0", ReactionsElement.NAMESPACE,
            ReplyElement.NAMESPACE, RetractElement.NAMESPACE, "http://jabber.org/protocol/chatstates",
            "http://jabber.org/protocol/xhtml-im", "jabber:x:oob", "urn:xmpp:sid:0");
    static final List<String> ROOM_FEATURES = List.of("http://jabber.org/protocol/muc", "muc_nonanonymous",
            "muc_persistent", "muc_public", "muc_open", "http://jabber.org/protocol/disco#info", "urn:xmpp:sid:0",
            "urn:xmpp:mam:2", "urn:xmpp:message-correct:0", ReactionsElement.NAMESPACE, ReplyElement.NAMESPACE,
            RetractElement.NAMESPACE, "urn:xmpp:occupant-id:0");

    /** One component's identity: its domain, the network it serves and the name it shows. */
    public record Component(ComponentDomain address, String name) {
    }

    private final Map<String, Component> components = new LinkedHashMap<>();
    private final PuppetAddressing puppets;
    private final GatewayAddressing gateway;
    private final boolean gatewayEnabled;
    private final Supplier<List<EntityBareJid>> gatewayRooms;

    /** @param gatewayRooms the gateway rooms of every component (each component lists its own) */
    public DiscoResponder(List<Component> components, PuppetAddressing puppets, GatewayAddressing gateway,
                          boolean gatewayEnabled, Supplier<List<EntityBareJid>> gatewayRooms) {
        components.forEach(c -> this.components.put(c.address().domain(), c));
        this.puppets = puppets;
        this.gateway = gateway;
        this.gatewayEnabled = gatewayEnabled;
        this.gatewayRooms = gatewayRooms;
    }

    public IQ info(DiscoverInfo request) {
        Jid to = request.getTo();
        DiscoverInfoBuilder b = DiscoverInfoBuilder.buildResponseFor(request, IQ.ResponseType.result);
        if (request.getNode() != null) {
            return IQ.createErrorResponse(request, StanzaErrors.error(StanzaError.Condition.item_not_found, null));
        }
        Component component = components.get(to.getDomain().toString());
        if (!to.hasLocalpart() && component != null) {
            b.addIdentity(new DiscoverInfo.Identity("gateway", component.name(), component.address().network()));
            if (gatewayEnabled) {
                b.addIdentity(new DiscoverInfo.Identity("conference", component.address().label() + " rooms", "text"));
                b.addFeature("http://jabber.org/protocol/muc");
            }
            b.addFeature("http://jabber.org/protocol/disco#info").addFeature("http://jabber.org/protocol/disco#items")
                    .addFeature("urn:xmpp:ping").addFeature("jabber:iq:version");
            return b.build();
        }
        Optional<UserRef> person = puppets.person(to);
        if (person.isPresent()) {
            b.addIdentity(new DiscoverInfo.Identity("client",
                    ComponentDomain.label(person.get().network().value()) + " user", "bridge"));
            b.addFeatures(PUPPET_FEATURES);
            return b.build();
        }
        if (gatewayEnabled && gateway.roomAddress(to).isPresent() && !to.hasResource()) {
            b.addIdentity(new DiscoverInfo.Identity("conference", gateway.roomAddress(to).get(), "text"));
            b.addFeatures(ROOM_FEATURES);
            return b.build();
        }
        return IQ.createErrorResponse(request, StanzaErrors.error(StanzaError.Condition.item_not_found, null));
    }

    public IQ items(DiscoverItems request) {
        Jid to = request.getTo();
        DiscoverItems result = new DiscoverItems();
        result.setType(IQ.Type.result);
        result.setStanzaId(request.getStanzaId());
        result.setTo(request.getFrom());
        result.setFrom(request.getTo());
        if (!to.hasLocalpart() && components.containsKey(to.getDomain().toString()) && gatewayEnabled) {
            for (EntityBareJid room : gatewayRooms.get()) {
                if (!room.getDomain().equals(to.getDomain())) {
                    continue; // another component's room
                }
                DiscoverItems.Item item = new DiscoverItems.Item(room);
                gateway.roomAddress(room).ifPresent(item::setName);
                result.addItem(item);
            }
        }
        return result;
    }
}
