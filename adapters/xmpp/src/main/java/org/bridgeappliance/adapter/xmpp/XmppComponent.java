package org.bridgeappliance.adapter.xmpp;

import java.util.Objects;
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
}
