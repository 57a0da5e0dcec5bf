package org.bridgeappliance.admin.auth;

import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bridgeappliance.admin.AdminConfig;

/**
 * Who the client of a request is, for login throttling, audit and logs, and whether it came over
 * HTTPS (for the session cookie's {@code Secure} flag in {@code AUTO} mode).
 *
 * <p>The TCP peer is the client, unless the peer is one of {@code bridge.admin.trusted-proxies}
 * (IP addresses or CIDR blocks). Only then are {@code Forwarded} (RFC 7239; preferred when present)
 * or {@code X-Forwarded-For} read, right to left: every hop that is itself a trusted proxy is
 * skipped and the first untrusted one is the client. Anything to its left was written by the client
 * and is ignored. Without trusted proxies these headers are never read: anyone can send them.
 *
 * <p>Entries are parsed as IP literals only (never resolved through DNS); a malformed or obfuscated
 * entry ({@code unknown}, {@code _hidden}) stops the walk at the last trusted hop, so a client cannot
 * pick its own throttling key by sending garbage.
 *
 * <p>CIDR matching is a dozen lines on address bytes; a library (Netty's {@code IpSubnetFilterRule},
 * commons-net's IPv4-only {@code SubnetUtils}) would add a compile dependency to this module for it.
 *
 * <p>Thread-safe and non-blocking (no DNS).
 */
@Singleton
public class ClientAddresses {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    /** Bounds the work on a hostile header: more hops than this are not walked. */
    private static final int MAX_HOPS = 20;

    private final List<Block> trusted;

    private record Block(byte[] network, int prefix) {
        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }

    @Inject
    public ClientAddresses(AdminConfig config) {
        this(config.getTrustedProxies());
    }

    /** @throws ConfigurationException when an entry is not an IP address or CIDR block */
    public ClientAddresses(List<String> trustedProxies) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : trustedProxies) {
            blocks.add(parseBlock(entry.trim()));
        }
        this.trusted = List.copyOf(blocks);
    }

    /** The client's address: the TCP peer, or what trusted proxies say the client was. */
    public String clientAddress(HttpRequest<?> request) {
        InetAddress peer = request.getRemoteAddress().getAddress();
        if (peer == null) {
            return request.getRemoteAddress().getHostString();
        }
        if (!isTrusted(peer)) {
            return peer.getHostAddress();
        }
        List<String> hops = forwardedFor(request);
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0 && i >= hops.size() - MAX_HOPS; i--) {
            InetAddress hop = parseLiteral(hops.get(i));
            if (hop == null) {
                break;
            }
            client = hop;
            if (!isTrusted(hop)) {
                break;
            }
        }
        return client.getHostAddress();
    }

    /**
     * True when the client's connection was HTTPS: this server's own TLS, or a trusted proxy saying so
     * ({@code Forwarded: proto=https} or {@code X-Forwarded-Proto: https}).
     */
    public boolean isHttps(HttpRequest<?> request) {
        if (request.isSecure()) {
            return true;
        }
        InetAddress peer = request.getRemoteAddress().getAddress();
        if (peer == null || !isTrusted(peer)) {
            return false;
        }
        List<String> forwarded = request.getHeaders().getAll("Forwarded");
        if (!forwarded.isEmpty()) {
            List<String> protos = parameters(forwarded, "proto");
            return !protos.isEmpty() && protos.get(protos.size() - 1).equalsIgnoreCase("https");
        }
        String proto = request.getHeaders().get("X-Forwarded-Proto");
        if (proto == null) {
            return false;
        }
        String[] parts = proto.split(",");
        return parts[parts.length - 1].trim().equalsIgnoreCase("https");
    }

    boolean isTrusted(InetAddress address) {
        for (Block b : trusted) {
            if (b.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> forwardedFor(HttpRequest<?> request) {
        List<String> forwarded = request.getHeaders().getAll("Forwarded");
        if (!forwarded.isEmpty()) {
            return parameters(forwarded, "for");
        }
        List<String> hops = new ArrayList<>();
        for (String line : request.getHeaders().getAll("X-Forwarded-For")) {
            for (String hop : line.split(",")) {
                hops.add(hop.trim());
            }
        }
        return hops;
    }

    /** The values of one parameter in RFC 7239 elements, in order ({@code for="[2001:db8::1]:4711"} → {@code 2001:db8::1}). */
    private static List<String> parameters(List<String> lines, String name) {
        List<String> values = new ArrayList<>();
        for (String line : lines) {
            for (String element : line.split(",")) {
                for (String pair : element.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).trim().equalsIgnoreCase(name)) {
                        values.add(stripPort(unquote(pair.substring(eq + 1).trim())));
                    }
                }
            }
        }
        return values;
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    private static String stripPort(String v) {
        if (v.startsWith("[")) {
            int end = v.indexOf(']');
            return end > 0 ? v.substring(1, end) : v;
        }
        int colon = v.indexOf(':');
        return colon > 0 && colon == v.lastIndexOf(':') ? v.substring(0, colon) : v;
    }

    /** An IP literal, or null: never a DNS lookup (the patterns admit no host names). */
    static InetAddress parseLiteral(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.length() > 45 || !(IPV4.matcher(t).matches() || IPV6.matcher(t).matches())) {
            return null;
        }
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static Block parseBlock(String entry) {
        int slash = entry.indexOf('/');
        InetAddress address = parseLiteral(slash < 0 ? entry : entry.substring(0, slash));
        if (address == null) {
            throw new ConfigurationException("bridge.admin.trusted-proxies: '" + entry
                    + "' is not an IP address or CIDR block (host names are not resolved)");
        }
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(entry.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new ConfigurationException("bridge.admin.trusted-proxies: '" + entry + "' has a bad prefix length");
            }
        }
        return new Block(address.getAddress(), prefix);
    }
}
