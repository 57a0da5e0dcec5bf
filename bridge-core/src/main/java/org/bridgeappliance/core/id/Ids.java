package org.bridgeappliance.core.id;

import java.util.Objects;

/** Shared validation for the opaque identifier records of this package. */
final class Ids {
    /** No identifier the bridge stores may be longer than this (it is a database key). */
    static final int MAX_LENGTH = 1024;

    private Ids() {
    }

    static String require(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(what + " longer than " + MAX_LENGTH + " characters");
        }
        return value;
    }
}
