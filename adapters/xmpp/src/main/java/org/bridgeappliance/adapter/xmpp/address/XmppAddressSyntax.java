package org.bridgeappliance.adapter.xmpp.address;

import java.util.Locale;
import java.util.regex.Pattern;
import org.bridgeappliance.core.port.AddressSyntax;

/**
 * XMPP's address grammar for the rest of the appliance (the admin API, other adapters' puppet ids):
 * rooms are bare MUC JIDs and people bare JIDs, both compared case-insensitively in localpart and
 * domain (RFC 7622 §3.2, §3.3: the UsernameCaseMapped profile, as Prosody and ejabberd apply), while a
 * resource is compared as is (§3.4). Stateless and thread-safe.
 */
public final class XmppAddressSyntax implements AddressSyntax {
    /** One instance serves every caller. */
    public static final XmppAddressSyntax INSTANCE = new XmppAddressSyntax();

    private static final String HOST = "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}"
            + "[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]{2,45}\\])";
    /** RFC 7622 §3.3.1: a localpart excludes " & ' / : < > @ and, via PRECIS, spaces and controls. */
    private static final Pattern BARE_JID = Pattern.compile("[^\"&'/:<>@\\s\\p{Cntrl}]{1,1023}@" + HOST);

    private XmppAddressSyntax() {
    }

    @Override
    public Parsed room(String address) {
        if (!BARE_JID.matcher(address).matches()) {
            return Parsed.invalid("an XMPP room is a bare MUC JID like room@conference.example.org");
        }
        // Prosody and ejabberd case-fold MUC JIDs; storing the folded form keeps one room from being
        // mapped twice under two spellings.
        return Parsed.valid(address.toLowerCase(Locale.ROOT));
    }

    @Override
    public Parsed user(String address) {
        if (!BARE_JID.matcher(address).matches()) {
            return Parsed.invalid("an XMPP user is a bare JID like alice@example.org");
        }
        return Parsed.valid(address.toLowerCase(Locale.ROOT));
    }

    /** The bare part in lower case, the resource (after the first {@code /}) kept: RFC 7622 §3.2–3.4. */
    @Override
    public String canonicalUser(String id) {
        int slash = id.indexOf('/');
        return slash < 0 ? id.toLowerCase(Locale.ROOT)
                : id.substring(0, slash).toLowerCase(Locale.ROOT) + id.substring(slash);
    }

    @Override
    public String canonicalRoom(String address) {
        return canonicalUser(address);
    }
}
