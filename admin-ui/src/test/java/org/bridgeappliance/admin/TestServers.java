package org.bridgeappliance.admin;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Starts the admin API on a random port over the real mapping module in a test's own data directory. */
final class TestServers {
    static final String ADMIN = "admin";
    static final String PASSWORD = "correct-horse-battery";

    private TestServers() {
    }

    /** A server whose first admin comes from configuration. */
    static EmbeddedServer withAdmin(Path dataDir, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("bridge.admin.initial-user", ADMIN);
        props.put("bridge.admin.initial-password", PASSWORD);
        props.putAll(extra);
        return start(dataDir, props);
    }

    static EmbeddedServer start(Path dataDir, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put("micronaut.server.port", -1);
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("bridge.data-dir", dataDir.toString());
        // The default 600 000 PBKDF2 iterations would make every login in the tests cost ~0.5 s; below
        // the floor only with the explicit test switch.
        props.put("bridge.admin.password-iterations", 1000);
        props.put("bridge.admin.insecure-password-iterations-for-tests", true);
        props.putAll(extra);
        return ApplicationContext.run(EmbeddedServer.class, props);
    }
}
