package org.bridgeappliance.admin.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpRequest;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {
    private final ClientAddresses proxies = new ClientAddresses(List.of("10.0.0.0/8", "2001:db8::/32", "192.0.2.7"));

    /** A request from {@code peer} with the given header pairs. */
    private static HttpRequest<?> from(String peer, String... headers) {
        MutableHttpRequest<Object> r = HttpRequest.GET("/api/v1/session");
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        InetSocketAddress remote = new InetSocketAddress(ClientAddresses.parseLiteral(peer), 40000);
        return new io.micronaut.http.HttpRequestWrapper<Object>(r) {
            @Override
            public InetSocketAddress getRemoteAddress() {
                return remote;
            }
        };
    }

    @Test
    void untrustedPeerIsTheClientWhateverItsHeadersSay() {
        assertEquals("203.0.113.5", proxies.clientAddress(from("203.0.113.5", "X-Forwarded-For", "1.2.3.4")));
        assertFalse(proxies.isHttps(from("203.0.113.5", "X-Forwarded-Proto", "https")));
    }

    @Test
    void trustedProxiesAreSkippedRightToLeft() {
        assertEquals("198.51.100.9", proxies.clientAddress(from("10.1.2.3",
                "X-Forwarded-For", "6.6.6.6, 198.51.100.9, 10.9.9.9")), "the spoofed left-most entry is ignored");
        assertEquals("198.51.100.9", proxies.clientAddress(from("192.0.2.7",
                "Forwarded", "for=6.6.6.6, for=\"198.51.100.9:1234\";proto=https", "X-Forwarded-For", "7.7.7.7")));
        assertEquals("2001:db9:0:0:0:0:0:1", proxies.clientAddress(from("2001:db8::5", "Forwarded", "for=\"[2001:db9::1]:80\"")));
        assertTrue(proxies.isHttps(from("192.0.2.7", "Forwarded", "for=198.51.100.9;proto=https")));
    }

    @Test
    void garbageStopsAtTheLastTrustedHopAndIsNeverResolved() {
        assertEquals("10.0.0.2", proxies.clientAddress(from("10.0.0.1", "X-Forwarded-For", "198.51.100.9, example.org, 10.0.0.2")));
        assertEquals("10.0.0.1", proxies.clientAddress(from("10.0.0.1", "Forwarded", "for=unknown")));
        assertNull(ClientAddresses.parseLiteral("localhost"));
        assertNull(ClientAddresses.parseLiteral("1.2.3"));
    }

    @Test
    void badTrustedProxyEntriesStopTheStart() {
        assertThrows(ConfigurationException.class, () -> new ClientAddresses(List.of("proxy.example.org")));
        assertThrows(ConfigurationException.class, () -> new ClientAddresses(List.of("10.0.0.0/33")));
    }
}
