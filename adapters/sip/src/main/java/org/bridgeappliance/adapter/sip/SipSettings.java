package org.bridgeappliance.adapter.sip;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The validated {@code bridge.sip.*} settings (see {@link SipConfig} for the keys and defaults).
 *
 * @param enabled           run the SIP adapter
 * @param domain            the bridge's SIP domain D: puppets are {@code sip:x*y@<network>.D}, rooms {@code sip:s@rooms.D}
 * @param listenHost        address the Jain-SIP stack binds (UDP and TCP)
 * @param listenPort        its port
 * @param proxyHost         the site's proxy, through which every request is sent
 * @param proxyPort         its port
 * @param trustedAddresses  source IP addresses requests are accepted from (403 otherwise); the proxy's
 * @param networks          networks whose people get puppet URIs ({@code <network>.D})
 * @param maxBodyBytes      larger inbound MESSAGE bodies get 413
 * @param partBytes         outbound bodies are split into parts of at most this many UTF-8 bytes
 * @param udpMaxBytes       outbound requests larger than this go over TCP (RFC 3428 §8: 1300)
 * @param requestTimeout    longest wait for a final response to an outbound MESSAGE
 * @param offlineTtl        how long a message for an offline phone is kept (msilo's 72 h)
 * @param offlineRetry      how often queued messages are retried
 * @param workerThreads     threads that handle inbound requests (never Jain-SIP's own)
 * @param workerQueue       inbound requests waiting for a worker; beyond it: 503 + Retry-After
 * @param roomsOpen         whether anyone may {@code #join} a room (else only admin-added members)
 */
public record SipSettings(boolean enabled, String domain, String listenHost, int listenPort, String proxyHost,
                          int proxyPort, List<String> trustedAddresses, List<String> networks, int maxBodyBytes,
                          int partBytes, int udpMaxBytes, Duration requestTimeout, Duration offlineTtl,
                          Duration offlineRetry, int workerThreads, int workerQueue, boolean roomsOpen) {

    public SipSettings {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(listenHost, "listenHost");
        Objects.requireNonNull(proxyHost, "proxyHost");
        trustedAddresses = List.copyOf(trustedAddresses);
        networks = List.copyOf(networks);
        if (enabled) {
            require(!domain.isBlank() && domain.indexOf(':') < 0, "bridge.sip.domain must be a host name");
            require(listenPort > 0 && listenPort < 65536, "bridge.sip.port must be 1..65535");
            require(proxyPort > 0 && proxyPort < 65536, "bridge.sip.proxy-port must be 1..65535");
            require(!proxyHost.isBlank(), "bridge.sip.proxy-host is required");
            require(maxBodyBytes >= 1024 && maxBodyBytes <= 1 << 20, "bridge.sip.max-body-bytes must be 1024..1048576");
            require(partBytes >= 200 && partBytes <= udpMaxBytes, "bridge.sip.part-bytes must be 200..udp-max-bytes");
            require(workerThreads >= 1 && workerQueue >= 1, "bridge.sip.worker-threads and worker-queue must be >= 1");
            require(!requestTimeout.isNegative() && !requestTimeout.isZero(), "bridge.sip.request-timeout must be > 0");
            require(!offlineRetry.isNegative() && !offlineRetry.isZero(), "bridge.sip.offline-retry must be > 0");
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The defaults of {@code application.yml}; disabled. */
    public static SipSettings defaults() {
        return new SipSettings(false, "bridge.sip.test", "127.0.0.1", 15070, "127.0.0.1", 15060,
                List.of("127.0.0.1"), List.of("matrix", "xmpp"), 16384, 1000, 1300, Duration.ofSeconds(10),
                Duration.ofHours(72), Duration.ofMinutes(5), 4, 1000, true);
    }

    /** The URI of the proxy as the stack's next hop. */
    public String proxyHop() {
        return proxyHost + ":" + proxyPort;
    }
}
