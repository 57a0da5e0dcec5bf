package org.bridgeappliance.adapter.sip;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.util.List;

/**
 * {@code bridge.sip.*}:
 *
 * <pre>
 * bridge:
 *   sip:
 *     enabled: true
 *     domain: bridge.sip.test        # D: puppets sip:bob*xmpp.test@xmpp.D, rooms sip:lobby@rooms.D
 *     host: 127.0.0.1                # where the stack listens (UDP + TCP)
 *     port: 15070
 *     proxy-host: 127.0.0.1          # the site's proxy (Kamailio): every request goes out through it
 *     proxy-port: 15060
 *     trusted-addresses: [127.0.0.1] # requests from anywhere else get 403
 *     networks: [matrix, xmpp]       # networks whose people have puppet URIs
 *     max-body-bytes: 16384          # inbound MESSAGE bodies above get 413
 *     part-bytes: 1000               # outbound bodies are split at this many UTF-8 bytes, "(1/3) " markers
 *     udp-max-bytes: 1300            # larger requests go over TCP (RFC 3428 section 8)
 *     request-timeout: 10s
 *     offline-ttl: 72h               # queued messages for unregistered phones expire after this
 *     offline-retry: 5m              # queued messages are retried this often (and on any request of the phone)
 *     worker-threads: 4
 *     worker-queue: 1000             # inbound requests waiting; beyond: 503 + Retry-After
 *     rooms-open: true               # anyone may "#join" a room
 * </pre>
 */
@ConfigurationProperties("bridge.sip")
public class SipConfig {
    private final SipSettings d = SipSettings.defaults();
    private boolean enabled = d.enabled();
    private String domain = d.domain();
    private String host = d.listenHost();
    private int port = d.listenPort();
    private String proxyHost = d.proxyHost();
    private int proxyPort = d.proxyPort();
    private List<String> trustedAddresses = d.trustedAddresses();
    private List<String> networks = d.networks();
    private int maxBodyBytes = d.maxBodyBytes();
    private int partBytes = d.partBytes();
    private int udpMaxBytes = d.udpMaxBytes();
    private Duration requestTimeout = d.requestTimeout();
    private Duration offlineTtl = d.offlineTtl();
    private Duration offlineRetry = d.offlineRetry();
    private int workerThreads = d.workerThreads();
    private int workerQueue = d.workerQueue();
    private boolean roomsOpen = d.roomsOpen();

    /** The validated settings; throws IllegalArgumentException naming the bad key. */
    public SipSettings toSettings() {
        return new SipSettings(enabled, domain, host, port, proxyHost, proxyPort, trustedAddresses, networks,
                maxBodyBytes, partBytes, udpMaxBytes, requestTimeout, offlineTtl, offlineRetry, workerThreads,
                workerQueue, roomsOpen);
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getDomain() {
        return domain;
    }

    public void setDomain(String domain) {
        this.domain = domain;
    }

    public String getHost() {
        return host;
    }

    public void setHost(String host) {
        this.host = host;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int port) {
        this.port = port;
    }

    public String getProxyHost() {
        return proxyHost;
    }

    public void setProxyHost(String proxyHost) {
        this.proxyHost = proxyHost;
    }

    public int getProxyPort() {
        return proxyPort;
    }

    public void setProxyPort(int proxyPort) {
        this.proxyPort = proxyPort;
    }

    public List<String> getTrustedAddresses() {
        return trustedAddresses;
    }

    public void setTrustedAddresses(List<String> trustedAddresses) {
        this.trustedAddresses = trustedAddresses;
    }

    public List<String> getNetworks() {
        return networks;
    }

    public void setNetworks(List<String> networks) {
        this.networks = networks;
    }

    public int getMaxBodyBytes() {
        return maxBodyBytes;
    }

    public void setMaxBodyBytes(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    public int getPartBytes() {
        return partBytes;
    }

    public void setPartBytes(int partBytes) {
        this.partBytes = partBytes;
    }

    public int getUdpMaxBytes() {
        return udpMaxBytes;
    }

    public void setUdpMaxBytes(int udpMaxBytes) {
        this.udpMaxBytes = udpMaxBytes;
    }

    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    public Duration getOfflineTtl() {
        return offlineTtl;
    }

    public void setOfflineTtl(Duration offlineTtl) {
        this.offlineTtl = offlineTtl;
    }

    public Duration getOfflineRetry() {
        return offlineRetry;
    }

    public void setOfflineRetry(Duration offlineRetry) {
        this.offlineRetry = offlineRetry;
    }

    public int getWorkerThreads() {
        return workerThreads;
    }

    public void setWorkerThreads(int workerThreads) {
        this.workerThreads = workerThreads;
    }

    public int getWorkerQueue() {
        return workerQueue;
    }

    public void setWorkerQueue(int workerQueue) {
        this.workerQueue = workerQueue;
    }

    public boolean isRoomsOpen() {
        return roomsOpen;
    }

    public void setRoomsOpen(boolean roomsOpen) {
        this.roomsOpen = roomsOpen;
    }
}
