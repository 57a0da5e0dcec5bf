package org.bridgeappliance.adapter.matrix.registration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.adapter.matrix.MatrixConfig;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Generates the bridge's AS registration YAML from its configuration, without starting anything.
 *
 * <p>Entry point for the appliance's {@code --generate-registration <file>} flag:
 * {@link #write(Path, MatrixConfig)}. Tokens come from the configuration when it has them (so the file
 * matches the running bridge); otherwise fresh random 256-bit tokens are generated, and the bridge
 * then reads them back from the file named by {@code bridge.matrix.registration-file}.
 *
 * <p>The registration follows the AS API and the checklist in
 * reference/research/mautrix-matterbridge-appservice.md: exclusive user namespaces for the bot and
 * for each ghost prefix ({@code @_xmpp_.*}, {@code @_sip_.*}), exclusive alias namespaces for gateway
 * rooms, {@code rate_limited: false}, and both {@code receive_ephemeral} (spec v1.13) and its
 * unstable MSC2409 name {@code de.sorunome.msc2409.push_ephemeral}, which Synapse reads.
 */
public final class RegistrationGenerator {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RegistrationGenerator() {
    }

    /** Builds the registration for {@code config}, generating tokens that the configuration lacks. */
    public static Registration generate(MatrixConfig config) {
        String asToken = config.getAsToken().isBlank() ? randomToken() : config.getAsToken();
        String hsToken = config.getHsToken().isBlank() ? randomToken() : config.getHsToken();
        if (asToken.equals(hsToken)) {
            throw new IllegalArgumentException("as_token and hs_token must differ");
        }
        String server = regexLiteral(config.getServerName());
        List<String> users = new ArrayList<>();
        users.add("@" + regexLiteral(config.getBotLocalpart()) + ":" + server);
        List<String> aliases = new ArrayList<>();
        for (String network : config.getGhostNetworks()) {
            users.add("@" + GhostIdCodec.prefix(network) + ".*:" + server);
            aliases.add("#" + GhostIdCodec.prefix(network) + ".*:" + server);
        }
        return new Registration(config.getAppserviceId(), config.getAppserviceUrl(), asToken, hsToken,
                config.getBotLocalpart(), users, aliases, false, true);
    }

    /**
     * Generates the registration and writes it to {@code file} (created with owner-only permissions
     * where the file system supports them, replaced atomically).
     *
     * @return the registration written, so the caller can print where to put it (never the tokens)
     */
    public static Registration write(Path file, MatrixConfig config) {
        Registration registration = generate(config);
        writeFile(file, toYaml(registration));
        return registration;
    }

    /** The YAML text of a registration, keys in the order of the AS spec's example. */
    public static String toYaml(Registration registration) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("id", registration.id());
        root.put("url", registration.url());
        root.put("as_token", registration.asToken());
        root.put("hs_token", registration.hsToken());
        root.put("sender_localpart", registration.senderLocalpart());
        Map<String, Object> namespaces = new LinkedHashMap<>();
        namespaces.put("users", exclusive(registration.userNamespaces()));
        namespaces.put("aliases", exclusive(registration.aliasNamespaces()));
        namespaces.put("rooms", List.of());
        root.put("namespaces", namespaces);
        root.put("rate_limited", registration.rateLimited());
        root.put("receive_ephemeral", registration.receiveEphemeral());
        // MSC2409's unstable key; Synapse honours either.
        root.put("de.sorunome.msc2409.push_ephemeral", registration.receiveEphemeral());
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        options.setSplitLines(false);
        return "# Application-service registration of the bridge appliance (generated; contains secrets).\n"
                + new Yaml(options).dump(root);
    }

    /**
     * A literal for a regex that Synapse compiles with Python's {@code re}, which lacks Java's
     * {@code \Q...\E}: every character except letters, digits and {@code _} is backslash-escaped
     * (Python accepts escaped punctuation; escaped letters would be errors).
     */
    static String regexLiteral(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '_') {
                out.append('\\');
            }
            out.appendCodePoint(c);
        });
        return out.toString();
    }

    /** A random 256-bit token in hex. */
    public static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static List<Map<String, Object>> exclusive(List<String> regexes) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (String regex : regexes) {
            Map<String, Object> ns = new LinkedHashMap<>();
            ns.put("exclusive", true);
            ns.put("regex", regex);
            list.add(ns);
        }
        return list;
    }

    private static void writeFile(Path file, String text) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".registration", ".tmp");
            try {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: keep the platform's default permissions
                }
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the registration to " + file, e);
        }
    }

    /**
     * Command-line use without the appliance: {@code RegistrationGenerator <file>}, configured by the
     * system properties {@code bridge.matrix.*} (server-name, appservice-url, bot-localpart, ...).
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: RegistrationGenerator <registration.yaml>");
            System.exit(2);
        }
        MatrixConfig config = new MatrixConfig();
        config.setServerName(System.getProperty("bridge.matrix.server-name", config.getServerName()));
        config.setAppserviceUrl(System.getProperty("bridge.matrix.appservice-url", config.getAppserviceUrl()));
        config.setAppserviceId(System.getProperty("bridge.matrix.appservice-id", config.getAppserviceId()));
        config.setBotLocalpart(System.getProperty("bridge.matrix.bot-localpart", config.getBotLocalpart()));
        Registration written = write(Path.of(args[0]), config);
        System.out.println("wrote " + written + " to " + args[0]);
    }
}
