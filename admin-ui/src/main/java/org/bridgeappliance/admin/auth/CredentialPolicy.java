package org.bridgeappliance.admin.auth;

import java.util.regex.Pattern;
import org.bridgeappliance.admin.ApiException;

/** Rules for admin usernames and passwords. There is no default password, ever. */
public final class CredentialPolicy {
    /** NIST SP 800-63B asks for at least 8; an appliance admin gets a little more. */
    public static final int MIN_PASSWORD_LENGTH = 12;
    /** PBKDF2's cost grows with the password length: longer ones are refused (mapping's PasswordHasher agrees). */
    public static final int MAX_PASSWORD_LENGTH = 1024;
    public static final int MAX_USERNAME_LENGTH = 64;
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    private CredentialPolicy() {
    }

    public static String checkUsername(String field, String username) {
        if (username == null || username.isBlank()) {
            throw ApiException.badRequest(field, "username is required");
        }
        if (username.length() > MAX_USERNAME_LENGTH || !USERNAME.matcher(username).matches()) {
            throw ApiException.badRequest(field, "username must be 1-" + MAX_USERNAME_LENGTH
                    + " characters of letters, digits and . _ @ - (starting with a letter or digit)");
        }
        return username;
    }

    public static char[] checkPassword(String field, String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw ApiException.badRequest(field, "password must be at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        if (password.length() > MAX_PASSWORD_LENGTH) {
            throw ApiException.badRequest(field, "password must be at most " + MAX_PASSWORD_LENGTH + " characters");
        }
        return password.toCharArray();
    }
}
