package org.bridgeappliance.adapter.xmpp.muc;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * The MUC services (XEP-0045) whose rooms may be bridged: {@code bridge.xmpp.muc-services}, by default the
 * configured {@code bridge.xmpp.muc-domain} alone. A room on any other service is never joined, resolved or
 * delivered to: its service decides what its presences claim (a real JID in an occupant item, a moderation),
 * so a service on an attacker's server could make the bridge post as any XMPP user's ghost. Exact domain
 * match, case-insensitive; no wildcards. Immutable, thread-safe.
 */
public final class MucServices {
    private final Set<String> domains;

    public MucServices(Collection<String> domains) {
        Set<String> normalized = new LinkedHashSet<>();
        for (String d : domains) {
            if (d != null && !d.isBlank()) {
                normalized.add(d.strip().toLowerCase(Locale.ROOT));
            }
        }
        this.domains = Set.copyOf(normalized);
    }

    /** Whether {@code room}'s service (its domain) is allowed. */
    public boolean allows(Jid room) {
        return room != null && domains.contains(room.getDomain().toString().toLowerCase(Locale.ROOT));
    }

    /** Whether the service of the room named {@code roomJid} is allowed; false for anything that is not a JID. */
    public boolean allows(String roomJid) {
        try {
            return allows(JidCreate.from(roomJid));
        } catch (XmppStringprepException | IllegalArgumentException e) {
            return false;
        }
    }

    public Set<String> domains() {
        return domains;
    }

    /**
     * Configuration problems ({@code ""} if none): an empty list, an entry that is not a bare domain, or the
     * component's own domain (its gateway rooms are not MUCs to bridge).
     */
    public static String problems(Collection<String> domains, String componentDomain) {
        StringBuilder sb = new StringBuilder();
        if (domains.stream().allMatch(d -> d == null || d.isBlank())) {
            sb.append("bridge.xmpp.muc-services is empty; ");
        }
        for (String d : domains) {
            if (d == null || d.isBlank()) {
                continue;
            }
            try {
                JidCreate.domainBareFrom(d.strip());
                if (d.contains("@") || d.contains("/")) {
                    sb.append("bridge.xmpp.muc-services entry '").append(d).append("' is not a domain; ");
                } else if (d.strip().equalsIgnoreCase(componentDomain)) {
                    sb.append("bridge.xmpp.muc-services must not contain the component domain; ");
                }
            } catch (XmppStringprepException | IllegalArgumentException e) {
                sb.append("bridge.xmpp.muc-services entry '").append(d).append("' is not a domain; ");
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "MucServices" + domains;
    }
}
