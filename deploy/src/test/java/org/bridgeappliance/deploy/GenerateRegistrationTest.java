package org.bridgeappliance.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.bridgeappliance.adapter.matrix.registration.GenerateRegistrationCommand;
import org.bridgeappliance.core.port.ApplianceCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** {@code --generate-registration FILE}: the registration from the configuration, no bridge started. */
class GenerateRegistrationTest {

    private static Optional<Path> target(String[] args) {
        return Application.commandValue(GenerateRegistrationCommand.FLAG, args).map(Path::of);
    }

    @Test
    void theMatrixAdapterContributesTheCommand() {
        assertTrue(ServiceLoader.load(ApplianceCommand.class).stream()
                .anyMatch(c -> c.get().flag().equals("--generate-registration")));
        assertArrayEquals(new String[] {"--x=1", "--y=2"}, Application.withoutFlag(GenerateRegistrationCommand.FLAG,
                new String[] {"--x=1", "--generate-registration", "r.yaml", "--y=2"}));
    }

    @Test
    void findsTheFlagInBothSpellings() {
        assertEquals(Optional.of(Path.of("r.yaml")),
                target(new String[] {"--x=1", "--generate-registration", "r.yaml"}));
        assertEquals(Optional.of(Path.of("r.yaml")),
                target(new String[] {"--generate-registration=r.yaml"}));
        assertEquals(Optional.empty(), target(new String[] {"--bridge.data-dir=x"}));
        assertThrows(IllegalArgumentException.class,
                () -> target(new String[] {"--generate-registration"}));
    }

    @Test
    void writesTheConfiguredRegistrationWithoutStartingAnything(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("registration.yaml");
        Path dataDir = dir.resolve("data");
        int code = new GenerateRegistrationCommand().run(file.toString(), new String[] {
            "--bridge.data-dir=" + dataDir,
            "--bridge.matrix.server-name=example.org",
            "--bridge.matrix.as-token=as-token-from-config",
            "--bridge.matrix.hs-token=hs-token-from-config"});
        assertEquals(0, code);
        Map<String, Object> yaml = new Yaml().load(Files.readString(file));
        assertEquals("as-token-from-config", yaml.get("as_token"));
        assertEquals("hs-token-from-config", yaml.get("hs_token"));
        assertEquals(false, yaml.get("rate_limited"));
        assertEquals(true, yaml.get("de.sorunome.msc2409.push_ephemeral"));
        assertTrue(yaml.toString().contains("@_xmpp_.*:example\\.org"), yaml.toString());
        // Nothing was started: no database was created in the data directory.
        assertFalse(Files.exists(dataDir));
    }
}
