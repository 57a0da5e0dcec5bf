package org.bridgeappliance.adapter.xmpp.address;

import java.util.Objects;
import java.util.Optional;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * Gateway room addresses: the component serves a MUC for a Matrix room, joinable from any XMPP
 * client as {@code #alias%server@<component>} (ejabberd's {@code mod_matrix_gw} form) for the alias
 * {@code #alias:server}, or {@code !id%server@<component>} for a room id. Parts are escaped with
 * {@link JidEscaping}, so uppercase aliases work (matrix-bifrost #281).
 *
 * <p>Pure and thread-safe.
 */
public final class GatewayAddressing {
    private final String componentDomain;

    public GatewayAddressing(String componentDomain) {
        this.componentDomain = Objects.requireNonNull(componentDomain, "componentDomain").toLowerCase(java.util.Locale.ROOT);
    }

    /** The Matrix address ({@code #alias:server} or {@code !id:server}) a gateway JID names, if it is one. */
    public Optional<String> matrixAddress(Jid jid) {
        if (jid == null || !jid.getDomain().toString().equals(componentDomain) || !jid.hasLocalpart()) {
            return Optional.empty();
        }
        String localpart = jid.getLocalpartOrNull().toString();
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

    /** The gateway JID of a Matrix alias or room id. */
    public EntityBareJid roomJid(String matrixAddress) {
        int colon = matrixAddress.indexOf(':');
        if (matrixAddress.length() < 4 || (matrixAddress.charAt(0) != '#' && matrixAddress.charAt(0) != '!')
                || colon < 2 || colon == matrixAddress.length() - 1) {
            throw new IllegalArgumentException("not a Matrix room alias or id: " + matrixAddress);
        }
        String localpart = matrixAddress.charAt(0) + JidEscaping.escape(matrixAddress.substring(1, colon)) + "%"
                + JidEscaping.escape(matrixAddress.substring(colon + 1));
        try {
            return JidCreate.entityBareFrom(localpart + "@" + componentDomain);
        } catch (XmppStringprepException e) {
            throw new IllegalArgumentException("cannot form a JID for " + matrixAddress, e);
        }
    }
}
