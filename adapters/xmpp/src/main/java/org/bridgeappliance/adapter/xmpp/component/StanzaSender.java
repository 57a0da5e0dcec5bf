package org.bridgeappliance.adapter.xmpp.component;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Stanza;

/** Where the adapter's features send stanzas: the live component stream. Thread-safe. */
public interface StanzaSender {
    /** Queues a stanza on the live stream; blocks briefly when the queue is full. */
    void send(Stanza stanza) throws ComponentConnection.NotConnectedException;

    /** An IQ round trip; the future fails on timeout or when the stream closes. */
    CompletableFuture<IQ> request(IQ iq, Duration timeout);

    /** True while a stream is up. */
    boolean isConnected();

    /** True while the stream of component {@code domain} is up (one stream: {@link #isConnected()}). */
    default boolean isConnected(String domain) {
        return isConnected();
    }
}
