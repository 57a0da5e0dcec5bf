package org.bridgeappliance.adapter.sip.presence;

import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.model.Presence;

/**
 * One person's presence as a PIDF document carries it: the canonical availability and the free-text note
 * (RFC 3863 {@code <note>}, XMPP status, Matrix {@code status_msg}). Immutable; the value {@link PidfWriter}
 * writes and {@link PidfReader} reads.
 *
 * @param note the status text, never blank when present
 */
public record SipPresence(Presence presence, Optional<String> note) {
    public SipPresence {
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(note, "note");
        note = note.filter(n -> !n.isBlank());
    }

    /** A presence without status text. */
    public static SipPresence of(Presence presence) {
        return new SipPresence(presence, Optional.empty());
    }

    /** A presence with status text ({@code null} or blank means none). */
    public static SipPresence of(Presence presence, String note) {
        return new SipPresence(presence, Optional.ofNullable(note));
    }
}
