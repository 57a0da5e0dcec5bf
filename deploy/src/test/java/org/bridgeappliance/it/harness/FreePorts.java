package org.bridgeappliance.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Picks loopback ports that are free for both UDP and TCP at the moment of the call, for the SIP processes a test
 * starts (sipp, baresip). There is a window between the check and the program binding the port; the tests'
 * programs bind within milliseconds and the kernel hands out ephemeral ports round-robin, so a clash is unlikely
 * and shows as a clear bind error of the program.
 */
public final class FreePorts {

    private FreePorts() {
    }

    /** A port free on 127.0.0.1 for UDP and TCP. */
    public static int udpAndTcp() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(lo, 0))) {
                int port = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket()) {
                    tcp.bind(new InetSocketAddress(lo, port));
                    return port;
                } catch (IOException taken) {
                    // TCP side in use: try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind a UDP socket on 127.0.0.1", e);
            }
        }
        throw new IllegalStateException("no port free for both UDP and TCP on 127.0.0.1 after 50 attempts");
    }

    /**
     * A port free on 127.0.0.1 for UDP and TCP whose next port is free for TCP too: baresip listens for SIP over
     * TLS on the port after its SIP port (CI once saw "sock_bind: Address already in use" there).
     */
    public static int udpAndTcpWithNextTcp() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = udpAndTcp();
            if (port >= 65535) {
                continue;
            }
            try (ServerSocket next = new ServerSocket()) {
                next.bind(new InetSocketAddress(lo, port + 1));
                return port;
            } catch (IOException taken) {
                // port + 1 in use: try another
            }
        }
        throw new IllegalStateException("no port pair free on 127.0.0.1 after 50 attempts");
    }
}
