package org.bridgeappliance.adapter.sip.presence;

/** Namespaces and names shared by {@link PidfWriter} and {@link PidfReader}. */
final class Pidf {
    /** RFC 3863. */
    static final String NS_PIDF = "urn:ietf:params:xml:ns:pidf";
    /** RFC 4479 (data model: {@code <dm:person>}, {@code <dm:note>}). */
    static final String NS_DM = "urn:ietf:params:xml:ns:pidf:data-model";
    /** RFC 4480. */
    static final String NS_RPID = "urn:ietf:params:xml:ns:pidf:rpid";

    /** RFC 4480 §3.8 value used to tell extended away from away (see adapters/sip/README.md, "Presence"). */
    static final String USER_INPUT_IDLE = "idle";

    private Pidf() {
    }
}
