package org.bridgeappliance.adapter.matrix.registration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bridgeappliance.adapter.matrix.MatrixConfig;
import org.bridgeappliance.adapter.matrix.id.GhostIdCodec;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads a registration YAML and checks it against the configuration, so that the bridge refuses to
 * start when what it would serve does not match what the homeserver was told.
 */
public final class RegistrationFile {
    /** A registration is a few hundred bytes; anything much larger is not one. */
    static final int MAX_BYTES = 64 * 1024;

    private RegistrationFile() {
    }

    /**
     * Parses a registration file (plain YAML only: no tags, no aliases bombs, bounded size).
     *
     * @throws RegistrationException if it cannot be read or lacks a required key
     */
    public static Registration read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new RegistrationException("registration file " + file + " is larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new RegistrationException("cannot read the registration file " + file + ": " + e.getMessage(), e);
        }
        return parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
    }

    static Registration parse(String yamlText, String source) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        options.setCodePointLimit(MAX_BYTES);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(options)).load(yamlText);
        } catch (RuntimeException e) {
            throw new RegistrationException("registration " + source + " is not valid YAML: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new RegistrationException("registration " + source + " is not a YAML mapping");
        }
        Object namespaces = map.get("namespaces");
        Map<?, ?> ns = namespaces instanceof Map<?, ?> m ? m : Map.of();
        Object url = map.get("url");
        return new Registration(string(map, "id", source), url == null ? null : url.toString(),
                string(map, "as_token", source), string(map, "hs_token", source),
                string(map, "sender_localpart", source), regexes(ns.get("users")), regexes(ns.get("aliases")),
                !Boolean.FALSE.equals(map.get("rate_limited")),
                Boolean.TRUE.equals(map.get("receive_ephemeral"))
                        || Boolean.TRUE.equals(map.get("de.sorunome.msc2409.push_ephemeral")));
    }

    /**
     * Resolves the tokens the bridge will use: the configuration's, or the file's when the
     * configuration has none, and checks the two agree with each other.
     *
     * @return the registration the bridge serves
     * @throws RegistrationException when a configured token differs from the file's, the bot is not
     *                               the sender or not covered, or a ghost prefix is not exclusively
     *                               registered
     */
    public static Registration resolve(MatrixConfig config) {
        String path = config.getRegistrationFile();
        if (path.isBlank()) {
            if (config.getAsToken().isBlank() || config.getHsToken().isBlank()) {
                throw new RegistrationException("bridge.matrix needs either registration-file or both as-token and"
                        + " hs-token (generate a registration with --generate-registration <file>)");
            }
            return RegistrationGenerator.generate(config);
        }
        Registration file = read(Path.of(path));
        check(!config.getAsToken().isBlank() && !sameSecret(config.getAsToken(), file.asToken()),
                "the configured as-token does not match the as_token of " + path);
        check(!config.getHsToken().isBlank() && !sameSecret(config.getHsToken(), file.hsToken()),
                "the configured hs-token does not match the hs_token of " + path);
        check(file.asToken().isBlank() || file.hsToken().isBlank(), path + " has an empty token");
        check(sameSecret(file.asToken(), file.hsToken()), path + " uses the same value for as_token and hs_token");
        check(!file.senderLocalpart().equals(config.getBotLocalpart()),
                path + " has sender_localpart " + file.senderLocalpart() + " but bot-localpart is "
                        + config.getBotLocalpart());
        GhostIdCodec codec = new GhostIdCodec(config.getServerName(), config.getBotLocalpart(),
                config.getGhostNetworks());
        for (String network : config.getGhostNetworks()) {
            String sample = "@" + GhostIdCodec.prefix(network) + "x=40y:" + config.getServerName();
            check(file.userNamespaces().stream().noneMatch(r -> matches(r, sample)),
                    path + " does not claim the user namespace @" + GhostIdCodec.prefix(network) + ".* on "
                            + codec.serverName());
        }
        return file;
    }

    /** Constant-time comparison of two secrets (MessageDigest.isEqual over their UTF-8 bytes). */
    public static boolean sameSecret(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean matches(String regex, String value) {
        try {
            return value.matches(regex);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void check(boolean failed, String message) {
        if (failed) {
            throw new RegistrationException(message);
        }
    }

    private static String string(Map<?, ?> map, String key, String source) {
        Object value = map.get(key);
        if (value == null) {
            throw new RegistrationException("registration " + source + " lacks " + key);
        }
        return value.toString();
    }

    private static List<String> regexes(Object list) {
        List<String> out = new ArrayList<>();
        if (list instanceof List<?> entries) {
            for (Object entry : entries) {
                if (entry instanceof Map<?, ?> ns && ns.get("regex") != null
                        && !Boolean.FALSE.equals(ns.get("exclusive"))) {
                    out.add(ns.get("regex").toString());
                }
            }
        }
        return out;
    }
}
