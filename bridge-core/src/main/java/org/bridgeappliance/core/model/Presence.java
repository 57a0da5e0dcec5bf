package org.bridgeappliance.core.model;

/**
 * Canonical availability. Mapping (DESIGN.md): AVAILABLE = PIDF open = XMPP no show = Matrix online;
 * AWAY = open+rpid:away = away = unavailable; EXTENDED_AWAY = open+rpid:away+note = xa = unavailable;
 * DO_NOT_DISTURB = open+rpid:busy = dnd = unavailable+status; ON_THE_PHONE = open+rpid:on-the-phone =
 * away+status = unavailable; OFFLINE = closed = unavailable = offline.
 */
public enum Presence {
    AVAILABLE,
    AWAY,
    EXTENDED_AWAY,
    DO_NOT_DISTURB,
    ON_THE_PHONE,
    OFFLINE
}
