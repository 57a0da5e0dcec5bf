package org.bridgeappliance.adapter.matrix.appservice;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** AS API "Authorization" (spec v1.4): Bearer hs_token; the legacy query token only when allowed; both must match. */
class HsTokenAuthTest {
    final HsTokenAuth strict = new HsTokenAuth("secret", false);
    final HsTokenAuth legacy = new HsTokenAuth("secret", true);

    @Test
    void bearerHeader() {
        assertTrue(strict.authorized("Bearer secret", null));
        assertTrue(strict.authorized("bearer secret", null));
        assertFalse(strict.authorized("Bearer secret2", null));
        assertFalse(strict.authorized("Bearer ", null));
        assertFalse(strict.authorized("Basic c2VjcmV0", null));
        assertFalse(strict.authorized("secret", null));
        assertFalse(strict.authorized(null, null));
    }

    @Test
    void legacyQueryTokenOnlyWhenAllowed() {
        assertFalse(strict.authorized(null, "secret"));
        assertTrue(legacy.authorized(null, "secret"));
        assertFalse(legacy.authorized(null, "wrong"));
    }

    @Test
    void headerAndQueryMustBothMatch() {
        assertTrue(strict.authorized("Bearer secret", "secret"));
        assertFalse(strict.authorized("Bearer secret", "wrong"));
        assertFalse(legacy.authorized("Bearer wrong", "secret"));
    }

    @Test
    void emptyTokenIsAConfigurationError() {
        assertThrows(IllegalArgumentException.class, () -> new HsTokenAuth("", false));
    }
}
