package org.bridgeappliance.adapter.sip.stack;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.HopImpl;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.ListIterator;
import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.message.Request;

/**
 * Jain-SIP's next-hop decision ({@code javax.sip.ROUTER_PATH}): every request goes to the site's proxy;
 * over UDP when it fits in {@link #udpMaxBytes()} bytes, else over TCP (RFC 3261 §18.1.1, RFC 3428 §8:
 * 1300 bytes). Jain-SIP 1.3.0-91 has no MTU switch of its own. The proxy address comes from
 * {@code javax.sip.OUTBOUND_PROXY} ({@code host:port/udp}), the size limit from the stack property
 * {@value #UDP_MAX_PROPERTY}; {@link SipEndpoint} sets both per stack.
 */
public final class ProxyRouter implements Router {
    /** Stack property: requests larger than this many bytes go over TCP. */
    public static final String UDP_MAX_PROPERTY = "org.bridgeappliance.sip.UDP_MAX_BYTES";
    private final String host;
    private final int port;
    private final int udpMaxBytes;

    /** Called by Jain-SIP with the stack and {@code javax.sip.OUTBOUND_PROXY} ({@code host:port/udp}). */
    public ProxyRouter(SipStack stack, String outboundProxy) {
        String spec = outboundProxy == null ? "" : outboundProxy;
        int slash = spec.indexOf('/');
        String hostPort = slash < 0 ? spec : spec.substring(0, slash);
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("javax.sip.OUTBOUND_PROXY must be host:port/udp, was " + spec);
        }
        this.host = hostPort.substring(0, colon);
        this.port = Integer.parseInt(hostPort.substring(colon + 1));
        String max = stack instanceof SipStackImpl impl && impl.getConfigurationProperties() != null
                ? impl.getConfigurationProperties().getProperty(UDP_MAX_PROPERTY) : null;
        this.udpMaxBytes = max == null ? 1300 : Integer.parseInt(max);
    }

    int udpMaxBytes() {
        return udpMaxBytes;
    }

    /** The transport a request of {@code bytes} bytes takes. */
    public static String transportFor(int bytes, int udpMaxBytes) {
        return bytes > udpMaxBytes ? "tcp" : "udp";
    }

    @Override
    public Hop getNextHop(Request request) throws SipException {
        int size = request.toString().getBytes(StandardCharsets.UTF_8).length;
        return new HopImpl(host, port, transportFor(size, udpMaxBytes));
    }

    @Override
    public Hop getOutboundProxy() {
        return new HopImpl(host, port, "udp");
    }

    @Override
    @Deprecated
    public ListIterator<?> getNextHops(Request request) {
        try {
            return List.of(getNextHop(request)).listIterator();
        } catch (SipException e) {
            return List.of().listIterator();
        }
    }
}
