package org.bridgeappliance.adapter.matrix.appservice;

import org.bridgeappliance.adapter.matrix.registration.RegistrationFile;

/**
 * Checks that a request comes from the homeserver (AS API "Authorization", spec v1.4):
 * {@code Authorization: Bearer <hs_token>}, compared in constant time. The legacy
 * {@code ?access_token=} is refused unless explicitly allowed; when both are sent, both must match.
 */
public final class HsTokenAuth {
    private final String hsToken;
    private final boolean allowLegacyQueryToken;

    public HsTokenAuth(String hsToken, boolean allowLegacyQueryToken) {
        if (hsToken == null || hsToken.isBlank()) {
            throw new IllegalArgumentException("hs_token must not be empty");
        }
        this.hsToken = hsToken;
        this.allowLegacyQueryToken = allowLegacyQueryToken;
    }

    /**
     * @param authorization the Authorization header, or null
     * @param queryToken    the access_token query parameter, or null
     */
    public boolean authorized(String authorization, String queryToken) {
        boolean headerOk = false;
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return false;
            }
            headerOk = RegistrationFile.sameSecret(authorization.substring(7).trim(), hsToken);
            if (!headerOk) {
                return false;
            }
        }
        if (queryToken != null) {
            boolean queryOk = RegistrationFile.sameSecret(queryToken, hsToken);
            if (!queryOk) {
                return false;
            }
            return headerOk || allowLegacyQueryToken;
        }
        return headerOk;
    }
}
