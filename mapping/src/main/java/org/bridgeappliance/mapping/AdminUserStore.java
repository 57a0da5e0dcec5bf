package org.bridgeappliance.mapping;

import java.util.List;
import java.util.Optional;

/** Admin accounts. Usernames are unique, case-insensitively. */
public interface AdminUserStore {
    /**
     * Creates an admin with a password hashed by {@link PasswordHasher}.
     *
     * @throws org.bridgeappliance.core.store.StoreConflictException if the username is taken
     */
    AdminUser create(String username, char[] password);

    /** The admin if the password matches; the check costs the same time whether or not the user exists. */
    Optional<AdminUser> authenticate(String username, char[] password);

    void changePassword(String username, char[] newPassword);

    boolean delete(String username);

    List<AdminUser> all();

    /** True when no admin exists yet (the first one comes from configuration or a setup token). */
    boolean isEmpty();
}
