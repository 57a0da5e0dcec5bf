package org.bridgeappliance.adapter.xmpp.address;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bridgeappliance.core.id.UserRef;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * Where people of other networks live on the bridge's component domain, reversibly.
 *
 * <ul>
 *   <li>Matrix {@code @alice:matrix.test} is {@code alice%matrix.test@<component>} (the ejabberd and
 *       biboumi convention, readable in rosters): {@code escape(localpart) % escape(server)}.</li>
 *   <li>Any other network {@code n} with user id {@code u} is {@code n+escape(u)@<component>}
 *       (SIP {@code alice@sip.test} becomes {@code sip+alice\40sip.test}).</li>
 * </ul>
 *
 * <p>{@link JidEscaping} keeps both case-safe: uppercase and odd characters survive nodeprep. A
 * Matrix localpart always contains exactly one raw {@code %}, other networks' never do, so decoding
 * is unambiguous. Gateway rooms use {@code #} and {@code !} prefixes (see {@link GatewayAddressing})
 * and are never taken for puppets.
 *
 * <p>Pure and thread-safe.
 */
public final class PuppetAddressing {
    public static final String MATRIX = "matrix";
    private static final Pattern NETWORK = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final int MAX_LOCALPART_BYTES = 1023;

    private final String componentDomain;

    public PuppetAddressing(String componentDomain) {
        this.componentDomain = Objects.requireNonNull(componentDomain, "componentDomain").toLowerCase(java.util.Locale.ROOT);
    }

    public String componentDomain() {
        return componentDomain;
    }

    /**
     * The puppet JID of {@code person}.
     *
     * @throws IllegalArgumentException if the person cannot be addressed (the network is XMPP itself,
     *                                  the id is not a Matrix id, or it is too long for a JID)
     */
    public EntityBareJid puppetJid(UserRef person) {
        String network = person.network().value();
        String user = person.user().value();
        String localpart;
        if (MATRIX.equals(network)) {
            int colon = user.indexOf(':');
            if (!user.startsWith("@") || colon < 2 || colon == user.length() - 1) {
                throw new IllegalArgumentException("not a Matrix user id: " + user);
            }
            localpart = JidEscaping.escape(user.substring(1, colon)) + "%" + JidEscaping.escape(user.substring(colon + 1));
        } else if ("xmpp".equals(network)) {
            throw new IllegalArgumentException("XMPP users need no puppet on XMPP: " + person);
        } else if (NETWORK.matcher(network).matches()) {
            localpart = network + "+" + JidEscaping.escape(user);
        } else {
            throw new IllegalArgumentException("network name cannot be addressed: " + network);
        }
        if (localpart.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_LOCALPART_BYTES) {
            throw new IllegalArgumentException("id too long for a JID localpart: " + person);
        }
        try {
            return JidCreate.entityBareFrom(localpart + "@" + componentDomain);
        } catch (XmppStringprepException e) {
            throw new IllegalArgumentException("cannot form a JID for " + person + ": " + e.getMessage(), e);
        }
    }

    /** The person a puppet JID stands for; empty if {@code jid} is not a puppet address. */
    public Optional<UserRef> person(Jid jid) {
        if (jid == null || !jid.getDomain().toString().equals(componentDomain) || !jid.hasLocalpart()) {
            return Optional.empty();
        }
        String localpart = jid.getLocalpartOrNull().toString();
        int percent = localpart.indexOf('%');
        if (percent >= 0) {
            if (localpart.indexOf('%', percent + 1) >= 0 || localpart.startsWith("#") || localpart.startsWith("!")) {
                return Optional.empty();
            }
            Optional<String> local = JidEscaping.unescape(localpart.substring(0, percent));
            Optional<String> server = JidEscaping.unescape(localpart.substring(percent + 1));
            if (local.isEmpty() || server.isEmpty() || local.get().isEmpty() || server.get().isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(UserRef.of(MATRIX, "@" + local.get() + ":" + server.get()));
        }
        int plus = localpart.indexOf('+');
        if (plus > 0) {
            String network = localpart.substring(0, plus);
            if (!NETWORK.matcher(network).matches() || MATRIX.equals(network) || "xmpp".equals(network)) {
                return Optional.empty();
            }
            return JidEscaping.unescape(localpart.substring(plus + 1)).filter(u -> !u.isBlank())
                    .map(u -> UserRef.of(network, u));
        }
        return Optional.empty();
    }

    /** True for any address on the component domain (puppets, gateway rooms, the component itself). */
    public boolean isOnComponent(Jid jid) {
        return jid != null && jid.getDomain().toString().equals(componentDomain);
    }
}
