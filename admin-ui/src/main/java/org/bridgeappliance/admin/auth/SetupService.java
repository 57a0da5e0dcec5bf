package org.bridgeappliance.admin.auth;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;
import org.bridgeappliance.admin.AdminConfig;
import org.bridgeappliance.admin.ApiException;
import org.bridgeappliance.admin.Auditor;
import org.bridgeappliance.mapping.AdminUser;
import org.bridgeappliance.mapping.AdminUserStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the appliance can get a first admin, never with a default password.
 *
 * <p>At start-up, while no admin exists: if {@code bridge.admin.initial-user} and
 * {@code initial-password} are configured, that admin is created; otherwise a random one-time
 * setup token is generated and written to {@code <data-dir>/setup-token} (readable by the owner
 * only); the log says where that file is, never the token (logs are shipped, kept and read by more
 * people than the appliance's data directory). {@code POST /api/v1/setup} with that token creates
 * the first admin, after which the token is forgotten and its file deleted. A restart without an
 * admin makes a new token.
 */
@Singleton
public class SetupService {
    private static final Logger LOG = LoggerFactory.getLogger(SetupService.class);
    public static final String TOKEN_FILE = "setup-token";

    private final AdminUserStore users;
    private final AdminConfig config;
    private final Auditor auditor;
    private final Path tokenFile;
    private String token;

    public SetupService(AdminUserStore users, AdminConfig config, Auditor auditor,
                        @Value("${bridge.data-dir:./data}") String dataDir) {
        this.users = users;
        this.config = config;
        this.auditor = auditor;
        this.tokenFile = Path.of(dataDir).toAbsolutePath().normalize().resolve(TOKEN_FILE);
    }

    @EventListener
    public void onStartup(StartupEvent event) {
        initialize();
    }

    /** Creates the configured first admin or a setup token; does nothing once an admin exists. */
    public synchronized void initialize() {
        String user = config.getInitialUser();
        String password = config.getInitialPassword();
        if (user.isEmpty() && !password.isEmpty()) {
            throw new ConfigurationException("bridge.admin.initial-password is set but bridge.admin.initial-user is not");
        }
        if (!users.isEmpty()) {
            deleteTokenFile();
            return;
        }
        if (!user.isEmpty()) {
            createConfiguredAdmin(user, password);
            return;
        }
        token = Tokens.random();
        writeTokenFile(token);
        LOG.warn("No admin account exists. Create the first one within this run with the one-time setup token"
                + " in {} (readable by the appliance's user only): POST /api/v1/setup with JSON"
                + " {\"token\", \"username\", \"password\"}", tokenFile);
    }

    private void createConfiguredAdmin(String user, String password) {
        try {
            CredentialPolicy.checkUsername("bridge.admin.initial-user", user);
            CredentialPolicy.checkPassword("bridge.admin.initial-password", password);
        } catch (ApiException e) {
            throw new ConfigurationException(e.field() + ": " + e.getMessage());
        }
        char[] chars = password.toCharArray();
        try {
            users.create(user, chars);
        } finally {
            Arrays.fill(chars, '\0');
        }
        auditor.record("configuration", "admin.create", "admin:" + user, "first admin from bridge.admin.initial-user");
        LOG.info("Created the first admin '{}' from configuration", user);
        deleteTokenFile();
    }

    /** True while the appliance waits for its first admin through the setup token. */
    public synchronized boolean setupRequired() {
        return token != null;
    }

    /**
     * Uses the setup token once.
     *
     * @throws ApiException 409 when an admin already exists, 403 when the token is wrong, 400 on bad credentials
     */
    public synchronized AdminUser complete(String suppliedToken, String username, String password) {
        if (token == null || !users.isEmpty()) {
            throw ApiException.conflict("setup is already complete; log in as an admin");
        }
        if (suppliedToken == null || !Tokens.equal(token, suppliedToken)) {
            throw new ApiException(io.micronaut.http.HttpStatus.FORBIDDEN, "invalid setup token", "token");
        }
        CredentialPolicy.checkUsername("username", username);
        char[] chars = CredentialPolicy.checkPassword("password", password);
        AdminUser created;
        try {
            created = users.create(username, chars);
        } finally {
            Arrays.fill(chars, '\0');
        }
        token = null;
        deleteTokenFile();
        auditor.record(created.username(), "admin.setup", "admin:" + created.username(), "first admin from setup token");
        LOG.info("Setup complete: created the first admin '{}'", created.username());
        return created;
    }

    Path tokenFile() {
        return tokenFile;
    }

    Optional<String> currentToken() {
        return Optional.ofNullable(token);
    }

    private void writeTokenFile(String value) {
        try {
            Files.createDirectories(tokenFile.getParent());
            Files.deleteIfExists(tokenFile);
            if (tokenFile.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                // Created with owner-only permissions: no window in which others could read it.
                Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(tokenFile);
                var file = tokenFile.toFile();
                file.setReadable(false, false);
                file.setWritable(false, false);
                file.setReadable(true, true);
                file.setWritable(true, true);
            }
            Files.writeString(tokenFile, value + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the setup token file " + tokenFile, e);
        }
    }

    private void deleteTokenFile() {
        try {
            Files.deleteIfExists(tokenFile);
        } catch (IOException e) {
            LOG.warn("Could not delete the used setup token file {}: {}", tokenFile, e.toString());
        }
    }
}
