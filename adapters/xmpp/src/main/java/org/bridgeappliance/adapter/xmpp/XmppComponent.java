package org.bridgeappliance.adapter.xmpp;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bridgeappliance.adapter.xmpp.address.ComponentDomain;

/**
 * One component stream of the adapter: the domain a foreign network's people and rooms live on, the secret the
 * XMPP server knows it by, and the name its disco identity shows ("Matrix bridge", "SIP bridge").
 *
 * @param address where and in which form the network's people live ({@link ComponentDomain})
 * @param secret  the component secret (never logged)
 * @param name    the disco#info identity name of the component
 */
public record XmppComponent(ComponentDomain address, String secret, String name) {
    public XmppComponent {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(secret, "secret");
        name = name == null || name.isBlank() ? address.label() + " bridge" : name.strip();
    }

    public String domain() {
        return address.domain();
    }

    public String network() {
        return address.network();
    }

    /**
     * What is wrong with a component list (a domain or network twice, an empty secret, the users' domain); empty if
     * nothing. The first component's secret is {@code bridge.xmpp.secret}, which {@link XmppSettings} checks.
     */
    public static String problems(List<XmppComponent> comps, String serverDomain) {
        StringBuilder out = new StringBuilder();
        boolean first = true;
        Set<String> domains = new HashSet<>();
        Set<String> networks = new HashSet<>();
        for (XmppComponent c : comps) {
            if (!domains.add(c.domain())) {
                out.append("component domain ").append(c.domain()).append(" configured twice; ");
            }
            if (!networks.add(c.network())) {
                out.append("network ").append(c.network()).append(" has two components; ");
            }
            if (!first && c.secret().isBlank()) { // the first one's is bridge.xmpp.secret (XmppSettings checks it)
                out.append("the component ").append(c.domain()).append(" has no secret; ");
            }
            if (!first && c.domain().equals(serverDomain)) {
                out.append("the component ").append(c.domain()).append(" must differ from server-domain; ");
            }
            first = false;
        }
        return out.toString();
    }
}
