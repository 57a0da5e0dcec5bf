package org.bridgeappliance.mapping;

import java.time.Instant;
import java.util.Objects;

/**
 * An administrator of the appliance. The password is stored only as a salted, slow hash
 * ({@link PasswordHasher}); this record never carries it.
 */
public record AdminUser(long id, String username, Instant createdAt) {
    public AdminUser {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
