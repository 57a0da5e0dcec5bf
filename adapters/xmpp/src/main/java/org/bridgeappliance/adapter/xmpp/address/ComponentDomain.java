package org.bridgeappliance.adapter.xmpp.address;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One XMPP component domain and the foreign network whose people and rooms live on it
 * ({@code matrix.xmpp.test} for Matrix, {@code sip.xmpp.test} for SIP), with the form its puppets'
 * localparts take ({@link PuppetAddressing}).
 *
 * @param network the network's name ({@code Network.value()}), lower case
 * @param domain  the component domain, lower case
 * @param idForm  how the network's user ids become localparts
 */
public record ComponentDomain(String network, String domain, IdForm idForm) {
    /**
     * The network of the single {@code bridge.xmpp.component-domain} of earlier releases, which existed before
     * per-network components did: a configuration that names no network for it means this one.
     */
    public static final String LEGACY_NETWORK = "matrix";
    static final Pattern NETWORK = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /** How user ids of a component's network are written as localparts. */
    public enum IdForm {
        /**
         * Ids of the form {@code @local:server} (Matrix's {@code @alice:matrix.test}) become
         * {@code escape(local)%escape(server)}: the readable ejabberd / biboumi convention. Ids of another
         * form cannot be addressed.
         */
        SERVER_PAIR,
        /**
         * Ids of the form {@code user@host} (SIP's {@code erin@sip.test}, split at the last {@code @}) become
         * {@code escape(user)%escape(host)} ({@code erin%sip.test}), the same readable convention for
         * networks whose people are {@code user@host}. Ids of another form cannot be addressed.
         */
        USER_HOST,
        /** Any id {@code u} of network {@code n} becomes {@code n+escape(u)} ({@code sip+alice\40sip.test}). */
        PREFIXED;

        /** Whether ids become a readable {@code a%b} pair on the network's own domain. */
        public boolean isPair() {
            return this != PREFIXED;
        }

        /** The configuration spelling: {@code server-pair}, {@code user-host} or {@code prefixed}. */
        public static IdForm parse(String value) {
            String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "server-pair" -> SERVER_PAIR;
                case "user-host" -> USER_HOST;
                case "prefixed" -> PREFIXED;
                default -> throw new IllegalArgumentException("id-form must be server-pair, user-host or prefixed, not '"
                        + value
                        + "'");
            };
        }
    }

    public ComponentDomain {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(idForm, "idForm");
        network = network.strip().toLowerCase(Locale.ROOT);
        domain = domain.strip().toLowerCase(Locale.ROOT);
        if (!NETWORK.matcher(network).matches() || "xmpp".equals(network)) {
            throw new IllegalArgumentException("not a foreign network name: '" + network + "'");
        }
        if (domain.isEmpty() || domain.contains("@") || domain.contains("/")) {
            throw new IllegalArgumentException("not a component domain: '" + domain + "'");
        }
    }

    /** The single component domain of earlier releases: {@link #LEGACY_NETWORK}'s, with server-pair ids. */
    public static ComponentDomain legacy(String domain) {
        return new ComponentDomain(LEGACY_NETWORK, domain, IdForm.SERVER_PAIR);
    }

    /** How the network is named to people: a short name as an acronym ({@code SIP}), others capitalised. */
    public String label() {
        return label(network);
    }

    /** How {@code network} is named to people (see {@link #label()}). */
    public static String label(String network) {
        if (network.length() <= 3) {
            return network.toUpperCase(Locale.ROOT);
        }
        return network.substring(0, 1).toUpperCase(Locale.ROOT) + network.substring(1);
    }
}
