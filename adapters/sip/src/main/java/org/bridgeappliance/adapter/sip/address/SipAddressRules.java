package org.bridgeappliance.adapter.sip.address;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bridgeappliance.core.port.AddressSyntax;

/**
 * The core's {@link AddressSyntax} capability for SIP, a thin wrapper around {@link SipAddressSyntax}:
 * <ul>
 *   <li>a room is a room portal {@code sip:<slug>@rooms.<D>} (what the admin API stores and what
 *       {@code deliver} expects); {@code <slug>@rooms.<D>} and a bare slug are accepted too, and the slug and
 *       host are lowered;</li>
 *   <li>a user is a SIP person's address of record, stored without the scheme and with the host in lower
 *       case, the user part kept (RFC 3261 §19.1.4): {@code sip:Erin@SIP.test} becomes {@code Erin@sip.test},
 *       the id the adapter puts into {@code UserRef}s and the Matrix adapter turns into
 *       {@code @_sip_Erin=40sip.test:<hs>}.</li>
 * </ul>
 * {@link #canonicalUser} only lowers the host: the adapter's own ids already have it lowered, so existing
 * ids (and ghost ids built from them) never change, and it never decodes escapes (decoding twice would not
 * be idempotent: {@code %2541} → {@code %41} → {@code A}).
 *
 * <p>Stateless after construction and thread-safe; the work is bounded by the input length.
 */
public final class SipAddressRules implements AddressSyntax {
    /** A DNS name or an IP literal, no port (an address of record has none). */
    private static final Pattern HOST = Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
            + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]{2,45}\\])");
    /** Characters that make an address a URI with a password, parameters or headers, or a name-addr. */
    private static final Pattern NOT_AN_AOR = Pattern.compile("[\\s;?<>\"\\p{Cntrl}]");

    private final SipAddressSyntax syntax;

    public SipAddressRules(SipAddressSyntax syntax) {
        this.syntax = Objects.requireNonNull(syntax, "syntax");
    }

    @Override
    public Parsed room(String address) {
        String example = "a SIP room is a room portal URI like sip:lobby@" + SipAddressSyntax.ROOMS + "."
                + syntax.domain();
        String a = stripScheme(address);
        if (a == null || NOT_AN_AOR.matcher(a).find()) {
            return Parsed.invalid(example + " (a sip: URI without parameters)");
        }
        int at = a.lastIndexOf('@');
        String user = at < 0 ? a : a.substring(0, at);
        String host = at < 0 ? SipAddressSyntax.ROOMS + "." + syntax.domain() : a.substring(at + 1);
        if (!host.equalsIgnoreCase(SipAddressSyntax.ROOMS + "." + syntax.domain())) {
            return Parsed.invalid(example + " (" + host + " is not the bridge's room domain)");
        }
        if (syntax.target(user, host) instanceof SipAddressSyntax.Room r) {
            return Parsed.valid(syntax.roomUri(r.slug()));
        }
        return Parsed.invalid(example + " (a room name is 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit)");
    }

    @Override
    public Parsed user(String address) {
        String example = "a SIP user is an address of record like sip:erin@example.org";
        String a = stripScheme(address);
        if (a == null || NOT_AN_AOR.matcher(a).find()) {
            return Parsed.invalid(example + " (a sip: URI without display name, parameters or headers)");
        }
        int at = a.lastIndexOf('@');
        if (at <= 0 || at == a.length() - 1) {
            return Parsed.invalid(example + " (user@host)");
        }
        String user = a.substring(0, at);
        String host = a.substring(at + 1);
        if (user.indexOf(':') >= 0) {
            return Parsed.invalid(example + " (no password in the address)");
        }
        if (!HOST.matcher(host).matches()) {
            return Parsed.invalid(example + " (the host must be a domain name or IP address, without a port)");
        }
        if (syntax.isOwnHost(host)) {
            return Parsed.invalid(example + " (" + host + " is the bridge's own domain, not a SIP person's)");
        }
        Optional<String> id = SipAddressSyntax.personId(user, host);
        return id.map(Parsed::valid).orElseGet(() -> Parsed.invalid(example + " (bad %-escape in the user part)"));
    }

    /** Lowers the host (after the last {@code @}); everything else, escapes included, as is. */
    @Override
    public String canonicalUser(String id) {
        int at = id.lastIndexOf('@');
        return at < 0 ? id : id.substring(0, at + 1) + id.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    /** {@code sip:} removed (any case); null for another scheme ({@code sips:}, {@code tel:}). */
    private static String stripScheme(String address) {
        if (address.regionMatches(true, 0, "sip:", 0, 4)) {
            return address.substring(4);
        }
        boolean otherScheme = address.regionMatches(true, 0, "sips:", 0, 5)
                || address.regionMatches(true, 0, "tel:", 0, 4);
        return otherScheme ? null : address;
    }
}
