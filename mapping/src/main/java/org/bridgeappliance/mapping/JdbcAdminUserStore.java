package org.bridgeappliance.mapping;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.store.StoreConflictException;

/**
 * Admin accounts in {@code admin_user}. Usernames are compared case-insensitively through the
 * {@code username_lower} column (lower case in {@link Locale#ROOT}); the name is kept as entered.
 *
 * <p>Every method blocks; {@link #create}, {@link #authenticate} and {@link #changePassword} spend
 * the {@link PasswordHasher}'s work factor (0.4-0.5 s per call at the default on a
 * 2-core machine), so callers
 * must not run them on an event loop.
 */
final class JdbcAdminUserStore implements AdminUserStore {
    static final int MAX_USERNAME_LENGTH = 64;

    private final Jdbc jdbc;
    private final PasswordHasher hasher;
    private final Clock clock;

    JdbcAdminUserStore(Jdbc jdbc, PasswordHasher hasher, Clock clock) {
        this.jdbc = jdbc;
        this.hasher = Objects.requireNonNull(hasher, "hasher");
        this.clock = clock;
    }

    @Override
    public AdminUser create(String username, char[] password) {
        checkUsername(username);
        String hash = hasher.hash(password); // validates the password's length
        Instant now = Jdbc.dbPrecision(clock.instant());
        try {
            long id = jdbc.withConnection("create admin", c -> Jdbc.insertReturningKey(c,
                    "INSERT INTO admin_user (username, username_lower, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    "id", s -> {
                        s.setString(1, username);
                        s.setString(2, normalise(username));
                        s.setString(3, hash);
                        Jdbc.setInstant(s, 4, now);
                    }));
            return new AdminUser(id, username, now);
        } catch (StoreConflictException e) {
            throw new StoreConflictException("username already taken: " + username, e);
        }
    }

    @Override
    public Optional<AdminUser> authenticate(String username, char[] password) {
        if (password == null || password.length == 0 || password.length > PasswordHasher.MAX_PASSWORD_LENGTH) {
            // Refused before any lookup: the answer depends only on the input, not on stored users.
            return Optional.empty();
        }
        if (username == null || !validUsername(username)) {
            hasher.dummyVerify(password);
            return Optional.empty();
        }
        record Stored(AdminUser user, String hash) {
        }
        Optional<Stored> stored = jdbc.queryOne("authenticate admin", "SELECT id, username, created_at, password_hash"
                + " FROM admin_user WHERE username_lower = ?", s -> s.setString(1, normalise(username)),
                r -> new Stored(map(r), r.getString("password_hash")));
        if (stored.isEmpty()) {
            // Same PBKDF2 cost as a real check: response time does not reveal which names exist.
            hasher.dummyVerify(password);
            return Optional.empty();
        }
        return hasher.verify(password, stored.get().hash()) ? Optional.of(stored.get().user()) : Optional.empty();
    }

    @Override
    public void changePassword(String username, char[] newPassword) {
        checkUsername(username);
        String hash = hasher.hash(newPassword);
        int updated = jdbc.update("change admin password", "UPDATE admin_user SET password_hash = ?"
                + " WHERE username_lower = ?", s -> {
                    s.setString(1, hash);
                    s.setString(2, normalise(username));
                });
        if (updated == 0) {
            throw new NoSuchElementException("no admin " + username);
        }
    }

    @Override
    public boolean delete(String username) {
        if (username == null || !validUsername(username)) {
            return false;
        }
        return jdbc.update("delete admin", "DELETE FROM admin_user WHERE username_lower = ?",
                s -> s.setString(1, normalise(username))) > 0;
    }

    @Override
    public List<AdminUser> all() {
        return jdbc.query("list admins", "SELECT id, username, created_at FROM admin_user ORDER BY username_lower",
                s -> { }, JdbcAdminUserStore::map);
    }

    @Override
    public boolean isEmpty() {
        return jdbc.queryOne("count admins", "SELECT 1 FROM admin_user FETCH FIRST 1 ROWS ONLY", s -> { },
                r -> Boolean.TRUE).isEmpty();
    }

    /** The form usernames are compared in. */
    static String normalise(String username) {
        return username.toLowerCase(Locale.ROOT);
    }

    private static void checkUsername(String username) {
        Objects.requireNonNull(username, "username");
        if (!validUsername(username)) {
            throw new IllegalArgumentException("a username has 1 to " + MAX_USERNAME_LENGTH
                    + " characters, no control characters and no leading or trailing spaces");
        }
    }

    private static boolean validUsername(String username) {
        // Lower-casing may lengthen a string (Locale.ROOT: U+0130 becomes two chars): check both.
        if (username.isEmpty() || username.length() > MAX_USERNAME_LENGTH
                || normalise(username).length() > MAX_USERNAME_LENGTH || !username.strip().equals(username)) {
            return false;
        }
        return username.codePoints().noneMatch(Character::isISOControl);
    }

    private static AdminUser map(ResultSet r) throws SQLException {
        return new AdminUser(r.getLong("id"), r.getString("username"), Jdbc.getInstant(r, "created_at"));
    }
}
