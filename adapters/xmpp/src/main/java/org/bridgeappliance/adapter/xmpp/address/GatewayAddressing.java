package org.bridgeappliance.adapter.xmpp.address;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * Gateway room addresses: a component serves a MUC for each room of its network it can reach, joinable from
 * any XMPP client. On a domain whose network has {@link ComponentDomain.IdForm#SERVER_PAIR} ids (Matrix), the
 * alias {@code #alias:server} is {@code #alias%server@<domain>} (ejabberd's {@code mod_matrix_gw} form) and a
 * room id {@code !id:server} is {@code !id%server@<domain>}; on any other domain a room address {@code a} is
 * {@code #escape(a)@<domain>} ({@code sip:room@sip.test} is {@code #sip\3aroom\40sip.test@sip.xmpp.test}).
 * Parts are escaped with {@link JidEscaping}, so uppercase aliases work (matrix-bifrost #281). Which rooms
 * exist is for the network's adapter to say (it resolves the address when someone joins).
 *
 * <p>Pure and thread-safe.
 */
public final class GatewayAddressing {
    /** A gateway room: the network it belongs to and the room address in that network's terms. */
    public record Target(Network network, String address) {
    }

    private final Map<String, ComponentDomain> byDomain = new LinkedHashMap<>();
    private final Map<String, ComponentDomain> byNetwork = new LinkedHashMap<>();
    private final ComponentDomain defaultDomain;

    /** One component domain, {@link ComponentDomain#legacy the legacy one}. */
    public GatewayAddressing(String componentDomain) {
        this(List.of(ComponentDomain.legacy(Objects.requireNonNull(componentDomain, "componentDomain"))));
    }

    /** @param domains at least one, as for {@link PuppetAddressing} */
    public GatewayAddressing(List<ComponentDomain> domains) {
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("at least one component domain");
        }
        for (ComponentDomain d : domains) {
            byDomain.put(d.domain(), d);
            byNetwork.put(d.network(), d);
        }
        this.defaultDomain = domains.get(0);
    }

    /** The room a gateway JID names (its network and address), if it is one. */
    public Optional<Target> target(Jid jid) {
        if (jid == null || !jid.hasLocalpart()) {
            return Optional.empty();
        }
        ComponentDomain on = byDomain.get(jid.getDomain().toString());
        if (on == null) {
            return Optional.empty();
        }
        String localpart = jid.getLocalpartOrNull().toString();
        Optional<String> address = on.idForm() == ComponentDomain.IdForm.SERVER_PAIR ? pairAddress(localpart)
                : escapedAddress(localpart);
        return address.map(a -> new Target(Network.of(on.network()), a));
    }

    /** The room address a gateway JID names, if it is one (see {@link #target}). */
    public Optional<String> roomAddress(Jid jid) {
        return target(jid).map(Target::address);
    }

    private static Optional<String> pairAddress(String localpart) {
        if (localpart.length() < 4 || (localpart.charAt(0) != '#' && localpart.charAt(0) != '!')) {
            return Optional.empty();
        }
        int percent = localpart.indexOf('%');
        if (percent < 2 || localpart.indexOf('%', percent + 1) >= 0) {
            return Optional.empty();
        }
        Optional<String> name = JidEscaping.unescape(localpart.substring(1, percent));
        Optional<String> server = JidEscaping.unescape(localpart.substring(percent + 1));
        if (name.isEmpty() || server.isEmpty() || name.get().isEmpty() || server.get().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(localpart.charAt(0) + name.get() + ":" + server.get());
    }

    private static Optional<String> escapedAddress(String localpart) {
        if (localpart.length() < 2 || localpart.charAt(0) != '#' || localpart.indexOf('%') >= 0) {
            return Optional.empty();
        }
        return JidEscaping.unescape(localpart.substring(1)).filter(a -> !a.isBlank());
    }

    /** The gateway JID of a room address of the default domain's network. */
    public EntityBareJid roomJid(String address) {
        return roomJid(Network.of(defaultDomain.network()), address);
    }

    /**
     * The gateway JID of a room address of {@code network}.
     *
     * @throws IllegalArgumentException if the network has no component domain or the address no gateway JID
     */
    public EntityBareJid roomJid(Network network, String address) {
        ComponentDomain on = byNetwork.get(network.value());
        if (on == null) {
            throw new IllegalArgumentException("no component domain for network " + network);
        }
        String localpart;
        if (on.idForm() == ComponentDomain.IdForm.SERVER_PAIR) {
            int colon = address.indexOf(':');
            if (address.length() < 4 || (address.charAt(0) != '#' && address.charAt(0) != '!')
                    || colon < 2 || colon == address.length() - 1) {
                throw new IllegalArgumentException("not a room alias or id of the form #alias:server: " + address);
            }
            localpart = address.charAt(0) + JidEscaping.escape(address.substring(1, colon)) + "%"
                    + JidEscaping.escape(address.substring(colon + 1));
        } else {
            if (address.isBlank()) {
                throw new IllegalArgumentException("empty room address");
            }
            localpart = "#" + JidEscaping.escape(address);
        }
        try {
            return JidCreate.entityBareFrom(localpart + "@" + on.domain());
        } catch (XmppStringprepException e) {
            throw new IllegalArgumentException("cannot form a JID for " + address, e);
        }
    }
}
