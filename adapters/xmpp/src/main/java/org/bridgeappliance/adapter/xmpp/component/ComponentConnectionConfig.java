package org.bridgeappliance.adapter.xmpp.component;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to open one component stream (XEP-0114).
 *
 * @param host             the XMPP server's component listener
 * @param port             its port (Prosody and ejabberd default to 5347)
 * @param domain           the component's domain, as configured on the server
 * @param secret           the shared secret (never logged)
 * @param maxStanzaBytes   the largest stanza accepted from the server
 * @param connectTimeout   TCP connect and handshake timeout
 * @param sendTimeout      how long a sender may wait for room in the outgoing queue
 * @param sendQueueCapacity outgoing stanzas buffered before senders wait
 */
public record ComponentConnectionConfig(String host, int port, String domain, String secret, long maxStanzaBytes,
                                        Duration connectTimeout, Duration sendTimeout, int sendQueueCapacity) {
    public ComponentConnectionConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(sendTimeout, "sendTimeout");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (sendQueueCapacity < 1) {
            throw new IllegalArgumentException("sendQueueCapacity < 1");
        }
    }

    @Override
    public String toString() {
        // The secret stays out of logs and exception messages.
        return "ComponentConnectionConfig[" + domain + " via " + host + ":" + port + "]";
    }
}
