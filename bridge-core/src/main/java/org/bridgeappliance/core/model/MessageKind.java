package org.bridgeappliance.core.model;

/** The flavour of a message: a normal text, an action ({@code /me}), or an automated notice. */
public enum MessageKind {
    TEXT,
    EMOTE,
    NOTICE
}
