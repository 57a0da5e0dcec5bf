package org.bridgeappliance.adapter.xmpp.address;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * Where people of other networks live on the bridge's component domains, reversibly. Each foreign network
 * may have a component domain of its own ({@link ComponentDomain}: Matrix people on {@code matrix.xmpp.test},
 * SIP people on {@code sip.xmpp.test}); the first domain configured is the default, where people of a network
 * without a component of its own live.
 *
 * <ul>
 *   <li>On its own domain, a network with {@link ComponentDomain.IdForm#SERVER_PAIR} ids writes
 *       {@code @alice:matrix.test} as {@code alice%matrix.test@<domain>} (the ejabberd and biboumi convention,
 *       readable in rosters): {@code escape(localpart) % escape(server)}.</li>
 *   <li>On its own domain, a network with {@link ComponentDomain.IdForm#USER_HOST} ids writes
 *       {@code erin@sip.test} as {@code erin%sip.test@<domain>}, the same way.</li>
 *   <li>Any other person, network {@code n} with user id {@code u}, is {@code n+escape(u)@<domain>} on
 *       {@code n}'s domain, or on the default domain when {@code n} has none (SIP {@code alice@sip.test} becomes
 *       {@code sip+alice\40sip.test}).</li>
 * </ul>
 *
 * <p>{@link JidEscaping} keeps both case-safe: uppercase and odd characters survive nodeprep. A server-pair
 * localpart always contains exactly one raw {@code %}, escaped ids never do, so decoding is unambiguous; every
 * person has exactly one puppet JID (a {@code n+} localpart of a network that has its own domain is refused on
 * any other). Gateway rooms use {@code #} and {@code !} prefixes (see {@link GatewayAddressing}) and are never
 * taken for puppets.
 *
 * <p>Pure and thread-safe.
 */
public final class PuppetAddressing {
    private static final int MAX_LOCALPART_BYTES = 1023;

    private final ComponentDomain defaultDomain;
    private final Map<String, ComponentDomain> byDomain = new LinkedHashMap<>();
    private final Map<String, ComponentDomain> byNetwork = new LinkedHashMap<>();

    /** One component domain, {@link ComponentDomain#legacy the legacy one} (earlier releases' configuration). */
    public PuppetAddressing(String componentDomain) {
        this(List.of(ComponentDomain.legacy(Objects.requireNonNull(componentDomain, "componentDomain"))));
    }

    /**
     * @param domains at least one; the first is the default domain; no domain and no network twice
     */
    public PuppetAddressing(List<ComponentDomain> domains) {
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("at least one component domain");
        }
        for (ComponentDomain d : domains) {
            if (byDomain.putIfAbsent(d.domain(), d) != null) {
                throw new IllegalArgumentException("component domain configured twice: " + d.domain());
            }
            if (byNetwork.putIfAbsent(d.network(), d) != null) {
                throw new IllegalArgumentException("network with two component domains: " + d.network());
            }
        }
        this.defaultDomain = domains.get(0);
    }

    /** The default component domain (the first configured). */
    public String componentDomain() {
        return defaultDomain.domain();
    }

    /** Every component domain, the default first. */
    public List<ComponentDomain> domains() {
        return List.copyOf(byDomain.values());
    }

    /** The component domain {@code network}'s people live on: its own, else the default one. */
    public ComponentDomain domainFor(Network network) {
        return byNetwork.getOrDefault(network.value(), defaultDomain);
    }

    /** Whether {@code network} has a component domain of its own. */
    public boolean hasOwnDomain(Network network) {
        return byNetwork.containsKey(network.value());
    }

    /** The component domain {@code jid} is on, if it is one of ours. */
    public Optional<ComponentDomain> component(Jid jid) {
        return jid == null ? Optional.empty() : Optional.ofNullable(byDomain.get(jid.getDomain().toString()));
    }

    /**
     * The puppet JID of {@code person}.
     *
     * @throws IllegalArgumentException if the person cannot be addressed (the network is XMPP itself, the id
     *                                  does not have its domain's server-pair form, or it is too long for a JID)
     */
    public EntityBareJid puppetJid(UserRef person) {
        String network = person.network().value();
        String user = person.user().value();
        if ("xmpp".equals(network)) {
            throw new IllegalArgumentException("XMPP users need no puppet on XMPP: " + person);
        }
        if (!ComponentDomain.NETWORK.matcher(network).matches()) {
            throw new IllegalArgumentException("network name cannot be addressed: " + network);
        }
        ComponentDomain home = domainFor(person.network());
        String localpart;
        if (home.network().equals(network) && home.idForm() == ComponentDomain.IdForm.SERVER_PAIR) {
            int colon = user.indexOf(':');
            if (!user.startsWith("@") || colon < 2
                    || colon == user.length() - 1) {
                throw new IllegalArgumentException("not a " + network + " user id of the form @local:server: " + user);
            }
            localpart = JidEscaping.escape(user.substring(1, colon)) + "%" + JidEscaping.escape(user.substring(colon + 1));
        } else if (home.network().equals(network) && home.idForm() == ComponentDomain.IdForm.USER_HOST) {
            int at = user.lastIndexOf('@');
            if (at < 1 || at == user.length() - 1) {
                throw new IllegalArgumentException("not a " + network + " user id of the form user@host: " + user);
            }
            localpart = JidEscaping.escape(user.substring(0, at)) + "%" + JidEscaping.escape(user.substring(at + 1));
        } else {
            localpart = network + "+" + JidEscaping.escape(user);
        }
        if (localpart.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LOCALPART_BYTES) {
            throw new IllegalArgumentException("id too long for a JID localpart: " + person);
        }
        try {
            return JidCreate.entityBareFrom(localpart + "@" + home.domain());
        } catch (XmppStringprepException e) {
            throw new IllegalArgumentException("cannot form a JID for " + person + ": " + e.getMessage(), e);
        }
    }

    /** The person a puppet JID stands for; empty if {@code jid} is not a puppet address. */
    public Optional<UserRef> person(Jid jid) {
        Optional<ComponentDomain> on = component(jid);
        if (on.isEmpty() || !jid.hasLocalpart()) {
            return Optional.empty();
        }
        ComponentDomain home = on.get();
        String localpart = jid.getLocalpartOrNull().toString();
        int percent = localpart.indexOf('%');
        if (percent >= 0) {
            if (!home.idForm().isPair() || localpart.indexOf('%', percent + 1) >= 0
                    || localpart.startsWith("#") || localpart.startsWith("!")) {
                return Optional.empty();
            }
            Optional<String> local = JidEscaping.unescape(localpart.substring(0, percent));
            Optional<String> server = JidEscaping.unescape(localpart.substring(percent + 1));
            if (local.isEmpty() || server.isEmpty() || local.get().isEmpty() || server.get().isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(UserRef.of(home.network(), home.idForm() == ComponentDomain.IdForm.SERVER_PAIR
                    ? "@" + local.get() + ":" + server.get() : local.get() + "@" + server.get()));
        }
        int plus = localpart.indexOf('+');
        if (plus > 0) {
            String network = localpart.substring(0, plus);
            if (!ComponentDomain.NETWORK.matcher(network).matches() || "xmpp".equals(network)) {
                return Optional.empty();
            }
            ComponentDomain own = byNetwork.get(network);
            boolean here = own == null ? home == defaultDomain : own == home;
            if (!here || (own != null && own.idForm().isPair())) {
                return Optional.empty(); // not where this network's people live, or not in its form
            }
            return JidEscaping.unescape(localpart.substring(plus + 1)).filter(u -> !u.isBlank())
                    .map(u -> UserRef.of(network, u));
        }
        return Optional.empty();
    }

    /** True for any address on one of the component domains (puppets, gateway rooms, the components themselves). */
    public boolean isOnComponent(Jid jid) {
        return component(jid).isPresent();
    }
}
