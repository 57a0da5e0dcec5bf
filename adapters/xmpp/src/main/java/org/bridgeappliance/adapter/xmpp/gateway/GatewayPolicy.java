package org.bridgeappliance.adapter.xmpp.gateway;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.adapter.xmpp.errors.StanzaErrors;
import org.bridgeappliance.adapter.xmpp.limits.XmppLimits;
import org.jivesoftware.smack.packet.StanzaError;
import org.jxmpp.jid.Jid;

/**
 * Who may use the gateway and which Matrix rooms it may reach: allow and deny lists of XMPP domains (the
 * joiner's) and of Matrix servers (the server part of the {@code #alias:server} / {@code !id:server} a gateway
 * JID names). A deny entry wins over an allow entry. Entries: a domain ({@code example.org}, exact, any port for
 * a Matrix server written without one), {@code *.example.org} (its subdomains), {@code *} (anything).
 *
 * <p>Defaults (empty allow lists): the XMPP server's own domain ({@code bridge.xmpp.server-domain}) and the
 * homeserver's own server name ({@code bridge.matrix.server-name}); with no server name known no Matrix room is
 * reachable. Rooms an admin mapped are not subject to the Matrix list (the admin chose them), the XMPP list
 * applies to every joiner. Pure and thread-safe.
 */
public final class GatewayPolicy {
    private final List<String> allowedXmpp;
    private final List<String> deniedXmpp;
    private final List<String> allowedMatrix;
    private final List<String> deniedMatrix;

    GatewayPolicy(List<String> allowedXmpp, List<String> deniedXmpp, List<String> allowedMatrix,
                  List<String> deniedMatrix) {
        this.allowedXmpp = normalized(allowedXmpp);
        this.deniedXmpp = normalized(deniedXmpp);
        this.allowedMatrix = normalized(allowedMatrix);
        this.deniedMatrix = normalized(deniedMatrix);
    }

    /** The policy of {@code limits}, the empty allow lists replaced by their defaults. */
    public static GatewayPolicy of(XmppLimits limits, String serverDomain) {
        Objects.requireNonNull(serverDomain, "serverDomain");
        List<String> xmpp = limits.allowedXmppDomains().isEmpty() ? List.of(serverDomain) : limits.allowedXmppDomains();
        List<String> matrix = limits.allowedMatrixServers();
        if (matrix.isEmpty()) {
            matrix = limits.matrixServerName().isEmpty() ? List.of() : List.of(limits.matrixServerName());
        }
        return new GatewayPolicy(xmpp, limits.deniedXmppDomains(), matrix, limits.deniedMatrixServers());
    }

    private static List<String> normalized(List<String> entries) {
        return entries.stream().map(e -> e.strip().toLowerCase(Locale.ROOT)).filter(e -> !e.isEmpty()).toList();
    }

    /** Whether users of {@code user}'s domain may join gateway rooms. */
    public boolean mayUse(Jid user) {
        String domain = user.getDomain().toString().toLowerCase(Locale.ROOT);
        return matchesAny(deniedXmpp, domain, domain).isEmpty() && matchesAny(allowedXmpp, domain, domain).isPresent();
    }

    /** Whether the gateway may reach the Matrix room {@code address} ({@code #alias:server} or {@code !id:server}). */
    public boolean mayReach(String address) {
        int colon = address.indexOf(':');
        if (colon < 0 || colon == address.length() - 1) {
            return false;
        }
        String server = address.substring(colon + 1).toLowerCase(Locale.ROOT);
        String host = hostOf(server);
        return matchesAny(deniedMatrix, server, host).isEmpty() && matchesAny(allowedMatrix, server, host).isPresent();
    }

    /**
     * Why {@code user} may not join the gateway room of {@code address} (unmapped rooms: {@code checkServer}),
     * as the stanza error to answer: forbidden for a refused XMPP domain (RFC 6120 §8.3.3.5), not-allowed for a
     * refused Matrix server (§8.3.3.11); empty if allowed.
     */
    public Optional<StanzaError> refusal(Jid user, String address, boolean checkServer) {
        if (!mayUse(user)) {
            return Optional.of(StanzaErrors.error(StanzaError.Condition.forbidden,
                    "Users of " + user.getDomain() + " may not use this bridge's gateway."));
        }
        if (checkServer && !mayReach(address)) {
            return Optional.of(StanzaErrors.error(StanzaError.Condition.not_allowed,
                    "This bridge's gateway does not reach rooms on " + address.substring(address.indexOf(':') + 1)
                            + "."));
        }
        return Optional.empty();
    }

    /** {@code server} without a port ({@code host:port}, {@code [v6]:port}). */
    private static String hostOf(String server) {
        if (server.startsWith("[")) {
            int end = server.indexOf(']');
            return end < 0 ? server : server.substring(0, end + 1);
        }
        int colon = server.lastIndexOf(':');
        return colon < 0 ? server : server.substring(0, colon);
    }

    private static Optional<String> matchesAny(List<String> entries, String full, String host) {
        for (String e : entries) {
            if (e.equals("*") || e.equals(full) || e.equals(host)
                    || (e.startsWith("*.") && (host.endsWith(e.substring(1))))) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
