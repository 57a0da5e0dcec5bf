package org.bridgeappliance.adapter.sip.address;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.RemoteUserId;
import org.bridgeappliance.core.id.UserRef;

/**
 * The SIP side's address rules, pure and table-tested (no Jain-SIP types), so that the planned core
 * {@code AddressSyntax} capability is a thin wrapper around it.
 *
 * <ul>
 *   <li>A person of another network is {@code sip:<local>*<domain>@<network>.<D>}: XMPP
 *       {@code bob@xmpp.test} is {@code sip:bob*xmpp.test@xmpp.D}, Matrix {@code @carol:matrix.test} is
 *       {@code sip:carol*matrix.test@matrix.D} (Kamailio {@code xmpp}'s {@code *} separator; a subdomain per
 *       network so that equal localparts never collide). The user part is split at the last literal
 *       {@code *}; characters outside RFC 3261's {@code user} grammar (§25.1), and {@code * ; ?}, are
 *       percent-escaped in each half, so a literal {@code *} is always the separator.</li>
 *   <li>A bridged room is {@code sip:<slug>@rooms.<D>}; slugs are {@code [a-z0-9][a-z0-9._-]{0,63}}.</li>
 *   <li>A SIP person is identified by their address-of-record without the scheme, host in lower case
 *       (RFC 3261 §19.1.4; the user part is case-sensitive): {@code erin@sip.test}. The Matrix adapter
 *       turns that into the ghost {@code @_sip_erin=40sip.test:<hs>}.</li>
 * </ul>
 *
 * The rules for writing another network's user id as {@code local*domain} are the only place where this
 * adapter knows another network's id shape ({@link #splitForeign}, {@link #joinForeign}); they follow the
 * ids those adapters put into {@link UserRef}s ({@code @local:server}, {@code local@domain}).
 */
public final class SipAddressSyntax {
    /** The host part (below D) of room URIs. */
    public static final String ROOMS = "rooms";
    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final int MAX_USER_CHARS = 512;

    private final String domain;
    private final List<String> networks;

    /**
     * @param domain   the bridge's SIP domain D ({@code bridge.sip.test})
     * @param networks the networks whose people get puppet URIs ({@code matrix}, {@code xmpp})
     */
    public SipAddressSyntax(String domain, List<String> networks) {
        this.domain = Objects.requireNonNull(domain, "domain").toLowerCase(Locale.ROOT);
        this.networks = List.copyOf(networks);
        if (this.networks.contains(ROOMS)) {
            throw new IllegalArgumentException("'" + ROOMS + "' is reserved for room URIs");
        }
    }

    public String domain() {
        return domain;
    }

    /** What a Request-URI (or any URI in the bridge's domain) addresses. */
    public sealed interface Target permits Person, Room, Unknown {
    }

    /** A person of another network, spoken for by a puppet URI. */
    public record Person(UserRef person) implements Target {
    }

    /** A room portal, by slug. */
    public record Room(String slug) implements Target {
    }

    /** Nothing this bridge serves; answered 404. */
    public record Unknown(String why) implements Target {
    }

    /**
     * Classifies an address in the bridge's domain.
     *
     * @param escapedUser the URI's user part exactly as it appears in the URI (still percent-escaped, as
     *                    Jain-SIP returns it); decoded here once
     * @param host        the URI's host
     */
    public Target target(String escapedUser, String host) {
        if (escapedUser == null || escapedUser.isEmpty() || host == null) {
            return new Unknown("no user part");
        }
        if (escapedUser.length() > MAX_USER_CHARS) {
            return new Unknown("user part too long");
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (!h.endsWith("." + domain)) {
            return new Unknown("not in " + domain);
        }
        String sub = h.substring(0, h.length() - domain.length() - 1);
        if (sub.equals(ROOMS)) {
            Optional<String> slug = unescape(escapedUser).map(s -> s.toLowerCase(Locale.ROOT));
            return slug.filter(SipAddressSyntax::isValidSlug).<Target>map(Room::new)
                    .orElseGet(() -> new Unknown("not a room slug"));
        }
        if (!networks.contains(sub)) {
            return new Unknown("no network " + sub);
        }
        int star = escapedUser.lastIndexOf('*');
        if (star <= 0 || star == escapedUser.length() - 1) {
            return new Unknown("no '*' between user and domain");
        }
        Optional<String> local = unescape(escapedUser.substring(0, star));
        Optional<String> dom = unescape(escapedUser.substring(star + 1));
        if (local.isEmpty() || dom.isEmpty()) {
            return new Unknown("bad escape");
        }
        return joinForeign(sub, local.get(), dom.get()).<Target>map(id -> new Person(new UserRef(Network.of(sub),
                RemoteUserId.of(id)))).orElseGet(() -> new Unknown("not a " + sub + " address"));
    }

    /** The puppet URI of a person of another network, or empty if that network has no puppets here. */
    public Optional<String> puppetUri(UserRef person) {
        String network = person.network().value();
        if (!networks.contains(network)) {
            return Optional.empty();
        }
        return splitForeign(network, person.user().value())
                .map(p -> "sip:" + escape(p[0]) + "*" + escape(p[1]) + "@" + network + "." + domain);
    }

    /** The URI of a room portal. */
    public String roomUri(String slug) {
        if (!isValidSlug(slug)) {
            throw new IllegalArgumentException("not a room slug: " + slug);
        }
        return "sip:" + slug + "@" + ROOMS + "." + domain;
    }

    /** True when {@code slug} may name a room ({@code [a-z0-9][a-z0-9._-]{0,63}}). */
    public static boolean isValidSlug(String slug) {
        return slug != null && SLUG.matcher(slug).matches();
    }

    /** True if {@code host} is the bridge's domain or below it (a request there must never be sent out: loop). */
    public boolean isOwnHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals(domain) || h.endsWith("." + domain);
    }

    /**
     * A SIP person's id: {@code user@host}, host lowered, user kept (case-sensitive, decoded once).
     *
     * @return empty when the user part's escapes are invalid or it is missing
     */
    public static Optional<String> personId(String escapedUser, String host) {
        if (escapedUser == null || escapedUser.isEmpty() || host == null || host.isEmpty()) {
            return Optional.empty();
        }
        return unescape(escapedUser).filter(u -> !u.isEmpty() && u.length() <= MAX_USER_CHARS)
                .map(u -> u + "@" + host.toLowerCase(Locale.ROOT));
    }

    /** The URI of a SIP person's id ({@code erin@sip.test} becomes {@code sip:erin@sip.test}). */
    public static String personUri(String personId) {
        int at = personId.lastIndexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("not a SIP person id: " + personId);
        }
        return "sip:" + escape(personId.substring(0, at)) + "@" + personId.substring(at + 1);
    }

    /** [local, domain] of another network's user id, as that network's adapter writes it. */
    static Optional<String[]> splitForeign(String network, String id) {
        if (network.equals("matrix")) {
            int colon = id.indexOf(':');
            if (!id.startsWith("@") || colon < 2 || colon == id.length() - 1) {
                return Optional.empty();
            }
            return Optional.of(new String[] {id.substring(1, colon), id.substring(colon + 1)});
        }
        String bare = network.equals("xmpp") && id.indexOf('/') >= 0 ? id.substring(0, id.indexOf('/')) : id;
        int at = network.equals("xmpp") ? bare.indexOf('@') : bare.lastIndexOf('@');
        if (at <= 0 || at == bare.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new String[] {bare.substring(0, at), bare.substring(at + 1)});
    }

    /** The inverse of {@link #splitForeign}. */
    static Optional<String> joinForeign(String network, String local, String dom) {
        if (local.isEmpty() || dom.isEmpty() || dom.indexOf('@') >= 0 || dom.indexOf('/') >= 0) {
            return Optional.empty();
        }
        if (network.equals("matrix")) {
            return local.indexOf(':') >= 0 ? Optional.empty() : Optional.of("@" + local + ":" + dom.toLowerCase(Locale.ROOT));
        }
        if (local.indexOf('@') >= 0 || local.indexOf('/') >= 0) {
            return Optional.empty();
        }
        String d = network.equals("xmpp") ? dom.toLowerCase(Locale.ROOT) : dom;
        String l = network.equals("xmpp") ? local.toLowerCase(Locale.ROOT) : local;
        return Optional.of(l + "@" + d);
    }

    /**
     * Percent-escapes everything outside RFC 3261 §25.1 {@code user} except that {@code *}, {@code ;} and
     * {@code ?} are escaped too ({@code *} is our separator; {@code ;} and {@code ?} confuse phones' URI
     * parsers). UTF-8, upper-case hex.
     */
    public static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-_.!~'()&=+$,/".indexOf(c) >= 0;
            if (keep) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Decodes percent escapes once (UTF-8); empty for a bad escape or bytes that are not UTF-8. */
    public static Optional<String> unescape(String escaped) {
        if (escaped.indexOf('%') < 0) {
            return Optional.of(escaped);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(escaped.length());
        byte[] raw = escaped.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == '%') {
                if (i + 2 >= raw.length) {
                    return Optional.empty();
                }
                int hi = Character.digit(raw[i + 1], 16);
                int lo = Character.digit(raw[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                bytes.write(raw[i]);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
