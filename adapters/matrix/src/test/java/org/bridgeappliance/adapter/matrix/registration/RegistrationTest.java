package org.bridgeappliance.adapter.matrix.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.adapter.matrix.MatrixConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** AS API "Registration": generated from the configuration, and checked against it at start-up. */
class RegistrationTest {
    @TempDir
    Path dir;

    private static MatrixConfig config() {
        MatrixConfig config = new MatrixConfig();
        config.setEnabled(true);
        // What the shipped configuration's networks (bridge.xmpp, bridge.sip) give: see ConfiguredNetworksTest.
        config.setGhostNetworks(List.of("xmpp", "sip"));
        return config;
    }

    @Test
    @SuppressWarnings("unchecked")
    void generatedFileHasEveryKeySynapseNeeds() throws Exception {
        Path file = dir.resolve("sub/registration.yaml");
        RegistrationGenerator.write(file, config());
        Map<String, Object> yaml = new Yaml().load(Files.readString(file));
        assertEquals("bridge-appliance", yaml.get("id"));
        assertEquals("http://127.0.0.1:18480", yaml.get("url"));
        assertEquals("bridgebot", yaml.get("sender_localpart"));
        assertEquals(false, yaml.get("rate_limited"));
        assertEquals(true, yaml.get("receive_ephemeral"));
        assertEquals(true, yaml.get("de.sorunome.msc2409.push_ephemeral"));
        String as = (String) yaml.get("as_token");
        String hs = (String) yaml.get("hs_token");
        assertTrue(as.matches("[0-9a-f]{64}"), as);
        assertTrue(hs.matches("[0-9a-f]{64}"), hs);
        assertNotEquals(as, hs);
        Map<String, Object> ns = (Map<String, Object>) yaml.get("namespaces");
        assertEquals(List.of(
                Map.of("exclusive", true, "regex", "@bridgebot:matrix\\.test"),
                Map.of("exclusive", true, "regex", "@_xmpp_.*:matrix\\.test"),
                Map.of("exclusive", true, "regex", "@_sip_.*:matrix\\.test")), ns.get("users"));
        assertEquals(List.of(
                Map.of("exclusive", true, "regex", "#_xmpp_.*:matrix\\.test"),
                Map.of("exclusive", true, "regex", "#_sip_.*:matrix\\.test")), ns.get("aliases"));
        assertEquals(List.of(), ns.get("rooms"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void tokensAreFreshEachTimeUnlessConfigured() {
        Registration a = RegistrationGenerator.generate(config());
        Registration b = RegistrationGenerator.generate(config());
        assertNotEquals(a.asToken(), b.asToken());
        MatrixConfig fixed = config();
        fixed.setAsToken("as-secret");
        fixed.setHsToken("hs-secret");
        Registration c = RegistrationGenerator.generate(fixed);
        assertEquals("as-secret", c.asToken());
        assertEquals("hs-secret", c.hsToken());
        assertFalse(c.toString().contains("secret"), "toString must not leak tokens: " + c);
    }

    @Test
    void tokensAreReadFromTheFileWhenNotConfigured() {
        Path file = dir.resolve("registration.yaml");
        Registration written = RegistrationGenerator.write(file, config());
        MatrixConfig config = config();
        config.setRegistrationFile(file.toString());
        Registration served = RegistrationFile.resolve(config);
        assertEquals(written.asToken(), served.asToken());
        assertEquals(written.hsToken(), served.hsToken());
    }

    @Test
    void refusesConfiguredTokensThatDoNotMatchTheFile() {
        Path file = dir.resolve("registration.yaml");
        Registration written = RegistrationGenerator.write(file, config());
        MatrixConfig config = config();
        config.setRegistrationFile(file.toString());
        config.setAsToken(written.asToken());
        config.setHsToken("not-the-hs-token");
        RegistrationException e = assertThrows(RegistrationException.class, () -> RegistrationFile.resolve(config));
        assertTrue(e.getMessage().contains("hs-token"), e.getMessage());
        assertFalse(e.getMessage().contains(written.hsToken()), "no secrets in messages");
        config.setHsToken(written.hsToken());
        config.setAsToken("wrong");
        assertThrows(RegistrationException.class, () -> RegistrationFile.resolve(config));
        config.setAsToken(written.asToken());
        assertEquals(written.hsToken(), RegistrationFile.resolve(config).hsToken());
    }

    @Test
    void refusesARegistrationThatDoesNotCoverTheGhostsOrTheBot() throws Exception {
        Path file = dir.resolve("registration.yaml");
        Files.writeString(file, """
                id: other
                url: http://127.0.0.1:18480
                as_token: aaaa
                hs_token: bbbb
                sender_localpart: bridgebot
                namespaces:
                  users:
                    - exclusive: true
                      regex: "@_xmpp_.*:matrix\\\\.test"
                """);
        MatrixConfig config = config();
        config.setRegistrationFile(file.toString());
        RegistrationException e = assertThrows(RegistrationException.class, () -> RegistrationFile.resolve(config));
        assertTrue(e.getMessage().contains("_sip_"), e.getMessage());
        config.setGhostNetworks(List.of("xmpp"));
        assertEquals("aaaa", RegistrationFile.resolve(config).asToken());
        config.setBotLocalpart("otherbot");
        assertThrows(RegistrationException.class, () -> RegistrationFile.resolve(config));
    }

    @Test
    void refusesMissingMalformedOrHostileFiles() throws Exception {
        MatrixConfig config = config();
        config.setRegistrationFile(dir.resolve("missing.yaml").toString());
        assertThrows(RegistrationException.class, () -> RegistrationFile.resolve(config));
        Path file = dir.resolve("bad.yaml");
        config.setRegistrationFile(file.toString());
        Files.writeString(file, "id: [unclosed");
        assertThrows(RegistrationException.class, () -> RegistrationFile.resolve(config));
        Files.writeString(file, "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[]]]");
        assertThrows(RegistrationException.class, () -> RegistrationFile.resolve(config));
        Files.writeString(file, "id: x\nid: y\nas_token: a\nhs_token: b\nsender_localpart: bridgebot\n");
        assertThrows(RegistrationException.class, () -> RegistrationFile.resolve(config));
        MatrixConfig noFile = config();
        assertThrows(RegistrationException.class, () -> RegistrationFile.resolve(noFile));
    }

    @Test
    void configurationCanBeReadWithoutStartingTheBridge() {
        io.micronaut.context.env.Environment env = io.micronaut.context.ApplicationContext.builder()
                .properties(Map.of("bridge.matrix.server-name", "example.org", "bridge.matrix.appservice-url",
                        "http://10.0.0.5:18480", "bridge.matrix.bot-localpart", "bot", "bridge.matrix.ghost-networks",
                        List.of("xmpp")))
                .build().getEnvironment().start();
        Registration r = RegistrationGenerator.generate(MatrixConfig.from(env));
        assertEquals("http://10.0.0.5:18480", r.url());
        assertEquals("bot", r.senderLocalpart());
        assertEquals(List.of("@bot:example\\.org", "@_xmpp_.*:example\\.org"), r.userNamespaces());
        env.stop();
    }

    @Test
    void regexLiteralsAreValidForPythonAndJava() {
        assertEquals("matrix\\.example\\-1\\.org", RegistrationGenerator.regexLiteral("matrix.example-1.org"));
        assertTrue("@x:matrix.example-1.org".matches("@x:" + RegistrationGenerator.regexLiteral("matrix.example-1.org")));
    }
}
