package org.bridgeappliance.admin;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PBKDF2-HMAC-SHA256 below OWASP's 600,000 iterations is refused at start-up (issue 9, item 12). */
class PasswordIterationsFloorTest {

    @Test
    void passwordIterationsBelowTheOwaspFloorStopTheStart(@TempDir Path dataDir) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> TestServers.withAdmin(dataDir, Map.of(
                "bridge.admin.password-iterations", 210_000,
                "bridge.admin.insecure-password-iterations-for-tests", false)));
        String messages = messages(e);
        assertTrue(messages.contains("bridge.admin.password-iterations") && messages.contains("600000"), messages);
    }

    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append(" / ");
        }
        return sb.toString();
    }
}
