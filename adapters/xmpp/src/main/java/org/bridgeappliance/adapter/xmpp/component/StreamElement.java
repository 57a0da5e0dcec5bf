package org.bridgeappliance.adapter.xmpp.component;

import java.util.Objects;
import java.util.Optional;
import org.jivesoftware.smack.packet.Stanza;

/** One top-level thing read from a component stream (XEP-0114). Immutable. */
public sealed interface StreamElement {

    /** The server's stream header; {@code id} is the stream id the handshake digest is computed over. */
    record StreamOpened(String id, Optional<String> from) implements StreamElement {
        public StreamOpened {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(from, "from");
        }
    }

    /** {@code <handshake/>}: the server accepted the component's secret. */
    record HandshakeAccepted() implements StreamElement {
    }

    /** A stanza, parsed by Smack with every registered provider. */
    record StanzaReceived(Stanza stanza) implements StreamElement {
        public StanzaReceived {
            Objects.requireNonNull(stanza, "stanza");
        }
    }

    /**
     * A well-formed stanza that Smack could not parse (a malformed JID, a bad attribute, a provider
     * failure). The stream stays up; the header lets the adapter answer with {@code bad-request}.
     */
    record Unparseable(StanzaHeader header, String reason) implements StreamElement {
        public Unparseable {
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** {@code <stream:error>}: the server is closing the stream (RFC 6120 §4.9). */
    record StreamErrorReceived(String condition, Optional<String> text) implements StreamElement {
        public StreamErrorReceived {
            Objects.requireNonNull(condition, "condition");
            Objects.requireNonNull(text, "text");
        }
    }

    /** {@code </stream:stream>} or the end of the input. */
    record StreamClosed() implements StreamElement {
    }

    /**
     * The raw routing attributes of a stanza, read before parsing it, so that even an unparseable
     * stanza can be answered.
     *
     * @param kind "message", "presence" or "iq"
     */
    record StanzaHeader(String kind, String from, String to, String id, String type) {
        public StanzaHeader {
            Objects.requireNonNull(kind, "kind");
        }
    }
}
