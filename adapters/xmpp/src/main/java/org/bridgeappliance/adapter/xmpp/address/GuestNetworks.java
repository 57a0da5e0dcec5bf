package org.bridgeappliance.adapter.xmpp.address;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.bridgeappliance.core.id.Network;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The foreign networks whose people the adapter met without a component of their own: they are puppeted on the
 * default component domain as {@code network+id} ({@link PuppetAddressing}). Said once in the log when a network is
 * first met, and in the adapter's state detail for the admin (who may want to give it a component:
 * {@code bridge.xmpp.components}). Thread-safe.
 */
public final class GuestNetworks {
    private static final Logger LOG = LoggerFactory.getLogger(GuestNetworks.class);

    private final PuppetAddressing addressing;
    private final Set<String> seen = new TreeSet<>();

    public GuestNetworks(PuppetAddressing addressing) {
        this.addressing = Objects.requireNonNull(addressing, "addressing");
    }

    /** {@code network}'s people are about to appear on XMPP: noted if they have no component of their own. */
    public void note(Network network) {
        if ("xmpp".equals(network.value()) || addressing.hasOwnDomain(network)) {
            return;
        }
        boolean first;
        synchronized (seen) {
            first = seen.add(network.value());
        }
        if (first) {
            LOG.info("{} people have no XMPP component of their own (bridge.xmpp.components.{}): they appear on {} as "
                    + "{}+<id>", network.value(), network.value(), addressing.componentDomain(), network.value());
        }
    }

    /** For the state detail: which networks live on the default domain; empty if none. */
    public String detail() {
        synchronized (seen) {
            if (seen.isEmpty()) {
                return "";
            }
            return "; without a component of their own, people of " + String.join(", ", seen) + " appear on "
                    + addressing.componentDomain();
        }
    }
}
