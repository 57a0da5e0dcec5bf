package org.bridgeappliance.core.net;

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

/**
 * Guards for fetching URLs that remote users chose (attachment links, avatars): server-side request forgery
 * protection shared by every adapter that fetches on someone's behalf. Plain JDK, no I/O except the DNS
 * look-up of {@link #allPublic(String)}. Thread-safe and immutable.
 *
 * <p>Two rules: a URL is fetched only if every address its host resolves to is public
 * ({@link #isInternal(InetAddress)} says which are not), unless it lies under one of the trusted prefixes an
 * admin configured (the appliance's own media links, an on-premises upload service). A trusted prefix is
 * matched on the normalized URI string, and URIs that could climb out of a prefix after normalization (user
 * info, a fragment, an encoded dot, slash or backslash in the path: RFC 3986 section 5.2.4) never match.
 */
public final class UrlSafety {
    private final List<String> trustedPrefixes;

    private UrlSafety(List<String> trustedPrefixes) {
        this.trustedPrefixes = List.copyOf(trustedPrefixes);
    }

    /** No trusted prefixes: only public addresses. */
    public static UrlSafety publicOnly() {
        return new UrlSafety(List.of());
    }

    /**
     * @param configKey names the setting in error messages
     * @param prefixes  absolute http(s) URL prefixes with a host and no user info, query or fragment
     * @throws IllegalArgumentException naming every bad entry
     */
    public static UrlSafety withTrustedPrefixes(String configKey, List<String> prefixes) {
        Objects.requireNonNull(configKey, "configKey");
        String problems = prefixProblems(configKey, prefixes);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.strip());
        }
        List<String> normalized = new ArrayList<>();
        for (String p : prefixes) {
            normalized.add(normalizePrefix(p));
        }
        return new UrlSafety(normalized);
    }

    /** The problems of a prefix list, one per line, each naming {@code configKey} and the entry (empty if none). */
    public static String prefixProblems(String configKey, List<String> prefixes) {
        if (prefixes == null) {
            return configKey + " must not be null\n";
        }
        StringBuilder problems = new StringBuilder();
        for (String p : prefixes) {
            try {
                URI u = new URI(p == null ? "" : p.strip());
                String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null
                        || u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
                    problems.append(configKey).append(": not an http(s) URL prefix with a host: ").append(p)
                            .append('\n');
                }
            } catch (URISyntaxException e) {
                problems.append(configKey).append(": not a URL: ").append(p).append('\n');
            }
        }
        return problems.toString();
    }

    /** The normalized trusted prefixes. */
    public List<String> trustedPrefixes() {
        return trustedPrefixes;
    }

    /** Whether {@code uri} lies under a trusted prefix (see the class comment for what never does). */
    public boolean isTrusted(URI uri) {
        if (trustedPrefixes.isEmpty() || uri == null || !uri.isAbsolute() || uri.isOpaque()
                || uri.getRawUserInfo() != null || uri.getRawFragment() != null || uri.getHost() == null) {
            return false;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return false;
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().toLowerCase(Locale.ROOT);
        if (path.contains("%2e") || path.contains("%2f") || path.contains("%5c") || path.contains("\\")) {
            return false;
        }
        String normalized = canonical(uri);
        for (String prefix : trustedPrefixes) {
            if (normalized.startsWith(prefix)) {
                return true;
            }
        }
        return false;
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
     * (100.64.0.0/10, RFC 6598), "this network" 0.0.0.0/8, and IPv4-mapped IPv6 forms of any of these.
     */
    public static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return true;
            }
            if (isMappedV4(b)) {
                try {
                    return isInternal(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
                } catch (UnknownHostException e) {
                    return true; // four bytes are always an address; refuse if not
                }
            }
            return false;
        }
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second <= 127);
        }
        return true;
    }

    private static boolean isMappedV4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0);
    }

    private static String normalizePrefix(String prefix) {
        URI u = URI.create(prefix.strip());
        String s = canonical(u);
        // A prefix without a path would also match "http://host.evil.example/": require the slash after the authority.
        return u.getRawPath() == null || u.getRawPath().isEmpty() ? s + "/" : s;
    }

    /** Scheme and host in lower case (RFC 3986 section 6.2.2.1), dot segments removed, the rest as written. */
    private static String canonical(URI uri) {
        URI n = uri.normalize();
        StringBuilder s = new StringBuilder(n.getScheme().toLowerCase(Locale.ROOT)).append("://")
                .append(n.getHost().toLowerCase(Locale.ROOT));
        if (n.getPort() >= 0) {
            s.append(':').append(n.getPort());
        }
        s.append(n.getRawPath() == null ? "" : n.getRawPath());
        if (n.getRawQuery() != null) {
            s.append('?').append(n.getRawQuery());
        }
        return s.toString();
    }
}
