package org.bridgeappliance.core.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Guards for fetching URLs that remote users chose (attachment links, avatars): server-side request forgery
 * protection shared by every adapter that fetches on someone's behalf. Plain JDK, no I/O except the DNS
 * look-ups of {@link #allPublic(String)} and {@link #checkHop}. Thread-safe and immutable.
 *
 * <p>Two rules: a URL is fetched only if every address its host resolves to is public
 * ({@link #isInternal(InetAddress)} says which are not), unless it lies under one of the trusted prefixes an
 * admin configured (the appliance's own media links, an on-premises upload service). Some addresses are
 * refused even then ({@link #isAlwaysRefused(InetAddress)}: cloud metadata and other link-local, multicast,
 * unspecified).
 *
 * <p>Trusted prefixes are matched on a canonical form of both sides (RFC 3986 section 6.2.2: scheme and host
 * in lower case, the scheme's default port dropped, dot segments removed, an empty path written as "/"), so
 * {@code http://host/a/../b} is judged as {@code http://host/b}. URIs that could climb out of a prefix after
 * our check never match: user info, a fragment, a percent-encoded dot, slash or backslash or a backslash in
 * the path (a server decoding them could resolve them after us, RFC 3986 section 5.2.4), or dot segments
 * climbing above the root. A prefix itself must be an absolute http(s) URL with a host, without user info,
 * query, fragment, dot segments or encoded separators, and with an empty path or one ending in '/' (else
 * {@code http://host/avatar} would also admit {@code http://host/avatar-admin/}).
 *
 * <p>Redirects: callers follow them by hand and pass every hop through {@link #checkHop}.
 *
 * <p>DNS rebinding: a name may resolve to a public address for the check and to 169.254.169.254 for the
 * HTTP client's own look-up a moment later. {@link #checkHop(URI, boolean, Resolver)} therefore returns the
 * addresses it checked ({@link Hop#addresses()}), and a caller must connect to exactly those (sending the
 * original host name in the Host header and as TLS SNI), never resolve the name again.
 */
public final class UrlSafety {
    private final String configKey;
    private final List<String> trustedPrefixes;

    private UrlSafety(String configKey, List<String> trustedPrefixes) {
        this.configKey = configKey;
        this.trustedPrefixes = List.copyOf(trustedPrefixes);
    }

    /** No trusted prefixes: only public addresses. */
    public static UrlSafety publicOnly() {
        return new UrlSafety(null, List.of());
    }

    /**
     * @param configKey names the setting in error messages
     * @param prefixes  absolute http(s) URL prefixes (see the class comment for the rules)
     * @throws IllegalArgumentException naming every bad entry, one per line
     */
    public static UrlSafety withTrustedPrefixes(String configKey, List<String> prefixes) {
        Objects.requireNonNull(configKey, "configKey");
        String problems = prefixProblems(configKey, prefixes);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.strip());
        }
        List<String> normalized = new ArrayList<>();
        for (String p : prefixes) {
            normalized.add(canonical(URI.create(p.strip())).orElseThrow());
        }
        return new UrlSafety(configKey, normalized);
    }

    /**
     * The problems of a prefix list, one line per bad entry ({@code <configKey>: bad entry "<entry>": <why>}),
     * empty if none.
     */
    public static String prefixProblems(String configKey, List<String> prefixes) {
        if (prefixes == null) {
            return configKey + " must not be null\n";
        }
        StringBuilder problems = new StringBuilder();
        for (String p : prefixes) {
            String why = prefixProblem(p);
            if (why != null) {
                problems.append(configKey).append(": bad entry \"").append(p).append("\": ").append(why).append('\n');
            }
        }
        return problems.toString();
    }

    private static String prefixProblem(String p) {
        if (p == null || p.isBlank()) {
            return "empty";
        }
        URI u;
        try {
            u = new URI(p.strip());
        } catch (URISyntaxException e) {
            return "not a URL (" + e.getReason() + ")";
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "not an absolute http or https URL";
        }
        if (u.isOpaque() || u.getHost() == null) {
            return "no host";
        }
        if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            return "user info, query and fragment are not allowed";
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        if (hasEncodedSeparator(path) || !u.normalize().getRawPath().equals(path)) {
            return "the path must not contain dot segments or encoded dots, slashes or backslashes";
        }
        if (!path.isEmpty() && !path.endsWith("/")) {
            return "the path must be empty or end with '/'";
        }
        return null;
    }

    /** The normalized trusted prefixes. */
    public List<String> trustedPrefixes() {
        return trustedPrefixes;
    }

    /** Whether {@code uri} lies under a trusted prefix (see the class comment for what never does). */
    public boolean isTrusted(URI uri) {
        return trustedForm(uri).isPresent();
    }

    /**
     * The canonical form of {@code uri} if it lies under a trusted prefix: request this, not {@code uri}, so
     * that what is fetched is exactly what was matched.
     */
    public Optional<URI> trustedForm(URI uri) {
        if (trustedPrefixes.isEmpty() || uri == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null
                || hasEncodedSeparator(uri.getRawPath() == null ? "" : uri.getRawPath())) {
            return Optional.empty();
        }
        Optional<String> normalized = canonical(uri);
        if (normalized.isEmpty()) {
            return Optional.empty();
        }
        for (String prefix : trustedPrefixes) {
            if (normalized.get().startsWith(prefix)) {
                return Optional.of(URI.create(normalized.get()));
            }
        }
        return Optional.empty();
    }

    /** Resolves a host name to its addresses ({@code InetAddress::getAllByName} outside tests). Blocking. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /**
     * One checked hop of a fetch.
     *
     * @param uri       what to request (see {@link #checkHop(URI, boolean)})
     * @param addresses every address the host resolved to, each one allowed: connect to one of these, never
     *                  to a fresh look-up of the name
     */
    public record Hop(URI uri, List<InetAddress> addresses) {
        public Hop {
            Objects.requireNonNull(uri, "uri");
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * Checks one hop of a fetch (the first URL and then every redirect target) and returns the URI to
     * request: the canonical form when it is trusted, else {@code uri} without its fragment (never sent to
     * the server, RFC 3986 section 3.5). Resolves the host (blocking DNS). The HTTP client resolves the name
     * again, so a hostile DNS server can answer it differently: fetchers use
     * {@link #checkHop(URI, boolean, Resolver)} and connect to the addresses it checked.
     *
     * @param allowInternal whether internal addresses are fetched even outside the trusted prefixes
     *                      (an on-premises deployment); {@link #isAlwaysRefused} addresses are refused anyway
     * @throws IOException saying why the hop is refused (scheme, host, the address), or if the host does
     *                     not resolve
     */
    public URI checkHop(URI uri, boolean allowInternal) throws IOException {
        return checkHop(uri, allowInternal, InetAddress::getAllByName).uri();
    }

    /**
     * {@link #checkHop(URI, boolean)}, resolving the host once with {@code resolver} and returning the
     * addresses it checked, to connect to (against DNS rebinding, see the class comment).
     *
     * @throws IOException saying why the hop is refused, or if the host does not resolve
     */
    public Hop checkHop(URI uri, boolean allowInternal, Resolver resolver) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IOException("unsupported scheme " + (scheme.isEmpty() ? "(none)" : scheme));
        }
        if (uri.isOpaque() || uri.getHost() == null) {
            throw new IOException("no host in " + uri);
        }
        URI request = withoutFragment(uri);
        Optional<URI> trusted = trustedForm(request);
        InetAddress[] addresses = resolver.resolve(uri.getHost());
        if (addresses == null || addresses.length == 0) {
            throw new UnknownHostException(uri.getHost());
        }
        for (InetAddress address : addresses) {
            if (isAlwaysRefused(address)) {
                throw new IOException("refusing to fetch from " + address.getHostAddress());
            }
            if (!allowInternal && trusted.isEmpty() && isInternal(address)) {
                throw new IOException("refusing to fetch from private address " + address.getHostAddress()
                        + (configKey == null ? "" : " (not under " + configKey + ")"));
            }
        }
        return new Hop(trusted.orElse(request), List.of(addresses));
    }

    /** {@code uri} without its fragment. */
    public static URI withoutFragment(URI uri) {
        if (uri.getRawFragment() == null) {
            return uri;
        }
        String s = uri.toString();
        return URI.create(s.substring(0, s.indexOf('#')));
    }

    /**
     * Whether every address {@code host} resolves to is public.
     *
     * @throws UnknownHostException if it does not resolve
     */
    public static boolean allPublic(String host) throws UnknownHostException {
        for (InetAddress a : InetAddress.getAllByName(host)) {
            if (isInternal(a)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether an address is not on the public internet: loopback, unspecified, link-local (cloud metadata at
     * 169.254.169.254), site-local (RFC 1918), multicast, unique-local IPv6 (fc00::/7), carrier-grade NAT
     * (100.64.0.0/10, RFC 6598), "this network" 0.0.0.0/8, benchmarking 198.18.0.0/15 (RFC 2544), reserved
     * 240.0.0.0/4 (with the broadcast address), local-use NAT64 64:ff9b:1::/48 (RFC 8215), and the IPv6 forms
     * that carry an IPv4 address of any of these: IPv4-mapped and -compatible, NAT64 64:ff9b::/96 (RFC 6052,
     * a NAT64 gateway connects to the IPv4 inside) and 6to4 2002::/16 (RFC 3056, a relay does).
     */
    public static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc || isLocalUseNat64(b)) {
                return true;
            }
            Optional<InetAddress> v4 = embeddedV4(b);
            return v4.isPresent() && isInternal(v4.get());
        }
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second <= 127)
                    || (first == 198 && (second & 0xfe) == 18) || first >= 240;
        }
        return true;
    }

    /**
     * Whether an address is refused even where internal addresses are allowed: link-local (cloud metadata
     * services at 169.254.169.254, fe80::/10), multicast, unspecified and "this network" 0.0.0.0/8 (which
     * reaches the local host on Linux), and the IPv6 forms that carry one of these IPv4 addresses
     * (IPv4-mapped and -compatible, NAT64 64:ff9b::/96, 6to4 2002::/16). No upload service lives there.
     */
    public static boolean isAlwaysRefused(InetAddress a) {
        if (a.isLoopbackAddress()) {
            return false; // also keeps ::1 from being read as the IPv4-compatible form of 0.0.0.1
        }
        if (a.isLinkLocalAddress() || a.isMulticastAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            Optional<InetAddress> v4 = embeddedV4(b);
            return v4.isPresent() && isAlwaysRefused(v4.get());
        }
        return a instanceof Inet4Address ? (b[0] & 0xff) == 0 : true;
    }

    /**
     * The IPv4 address an IPv6 address leads to: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d),
     * NAT64 well-known prefix (64:ff9b::a.b.c.d, RFC 6052 section 2.1) or 6to4 (2002:AABB:CCDD::/48, RFC 3056
     * section 2).
     */
    private static Optional<InetAddress> embeddedV4(byte[] b) {
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return Optional.of(v4(java.util.Arrays.copyOfRange(b, 2, 6)));
        }
        boolean nat64 = b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        for (int i = nat64 ? 4 : 0; i < 10; i++) {
            if (b[i] != 0) {
                return Optional.empty();
            }
        }
        if (nat64 ? b[10] == 0 && b[11] == 0
                : (b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0)) {
            return Optional.of(v4(java.util.Arrays.copyOfRange(b, 12, 16)));
        }
        return Optional.empty();
    }

    /** 64:ff9b:1::/48, NAT64 prefixes for local use (RFC 8215): the IPv4 inside may sit at any offset. */
    private static boolean isLocalUseNat64(byte[] b) {
        return b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && b[4] == 0 && b[5] == 1;
    }

    private static InetAddress v4(byte[] four) {
        try {
            return InetAddress.getByAddress(four);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    private static boolean hasEncodedSeparator(String rawPath) {
        String p = rawPath.toLowerCase(Locale.ROOT);
        return p.contains("%2e") || p.contains("%2f") || p.contains("%5c") || p.contains("\\");
    }

    /**
     * Scheme and host in lower case, the scheme's default port dropped, dot segments removed, an empty path
     * as "/", no fragment; empty if {@code uri} is not an absolute http(s) URI with a host or its dot segments
     * climb above the root (no two servers agree on what that means).
     */
    private static Optional<String> canonical(URI uri) {
        if (!uri.isAbsolute() || uri.isOpaque() || uri.getHost() == null) {
            return Optional.empty();
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.empty();
        }
        int port = uri.getPort();
        if ((scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443)) {
            port = -1;
        }
        URI n = uri.normalize();
        String path = n.getRawPath() == null || n.getRawPath().isEmpty() ? "/" : n.getRawPath();
        if (path.equals("/..") || path.startsWith("/../") || path.startsWith("..")) {
            return Optional.empty();
        }
        return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (port < 0 ? "" : ":" + port)
                + path + (n.getRawQuery() == null ? "" : "?" + n.getRawQuery()));
    }
}
