package org.bridgeappliance.adapter.matrix.id;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bridgeappliance.core.id.Network;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.port.Addressing;

/**
 * Maps people of other networks to ghost MXIDs and room addresses to aliases, reversibly.
 *
 * <p>A person {@code UserRef(xmpp, "Bob@xmpp.test")} becomes {@code @_xmpp_bob=40xmpp.test:matrix.test}:
 * the prefix {@code _<network>_} (an exclusive AS namespace, which the AS spec says should start with
 * an underscore) followed by the id encoded as in the Matrix spec's appendix "Mapping from other
 * character sets": UTF-8 bytes; {@code A-Z} become {@code _} + lower case; {@code _} becomes
 * {@code __}; {@code a-z 0-9 . -} stay; every other byte (including {@code =}, {@code /} and
 * {@code +}) becomes {@code =xx} in lower-case hex. Decoding accepts only the canonical encoding, so
 * two MXIDs never decode to the same person.
 *
 * <p>Before encoding, ids are put in the canonical form of their own network, which this adapter does
 * not know: it asks the core's {@link Addressing} (the other network's adapter's
 * {@link org.bridgeappliance.core.port.AddressSyntax}). So {@code Bob@xmpp.test} and {@code bob@xmpp.test}
 * are one person and one ghost exactly when the XMPP adapter says they are. Decoding accepts only ids
 * that are canonical, which keeps the mapping a bijection. A network without a syntax is taken verbatim.
 * Thread-safe and immutable (the {@code Addressing} given must be thread-safe).
 */
public final class GhostIdCodec {
    /** The Matrix spec's limit on the length of a user id, in bytes, sigil and server name included. */
    public static final int MAX_MXID_BYTES = 255;

    private final String serverName;
    private final String botUserId;
    private final List<String> networks;
    private final Addressing addressing;

    /** A codec that takes every network's ids verbatim (for the registration, which encodes no id). */
    public GhostIdCodec(String serverName, String botLocalpart, Collection<String> ghostNetworks) {
        this(serverName, botLocalpart, ghostNetworks, Addressing.NONE);
    }

    /**
     * @param addressing the other networks' canonical forms (normally the core's, from the adapter context);
     *                   read on every encode and decode, so it may be a view that fills in at start
     */
    public GhostIdCodec(String serverName, String botLocalpart, Collection<String> ghostNetworks,
                        Addressing addressing) {
        this.addressing = Objects.requireNonNull(addressing, "addressing");
        this.serverName = Objects.requireNonNull(serverName, "serverName");
        this.botUserId = "@" + Objects.requireNonNull(botLocalpart, "botLocalpart") + ":" + serverName;
        this.networks = List.copyOf(ghostNetworks);
        for (String network : networks) {
            if (!network.matches("[a-z0-9]+")) {
                throw new IllegalArgumentException("ghost network names must match [a-z0-9]+: " + network);
            }
        }
    }

    public String serverName() {
        return serverName;
    }

    public String botUserId() {
        return botUserId;
    }

    /** The networks with a ghost namespace, in configuration order. */
    public List<String> networks() {
        return networks;
    }

    /** The exclusive localpart prefix of one network's ghosts and aliases: {@code _xmpp_}. */
    public static String prefix(String network) {
        return "_" + network + "_";
    }

    /**
     * The ghost MXID of a person from another network.
     *
     * @throws IllegalArgumentException if the network has no ghost namespace or the MXID would exceed
     *                                  255 bytes
     */
    public String ghostUserId(UserRef person) {
        String network = person.network().value();
        if (!networks.contains(network)) {
            throw new IllegalArgumentException("no ghost namespace for network " + network);
        }
        String mxid = "@" + prefix(network) + encode(addressing.canonicalUser(person.network(), person.user().value())) + ":" + serverName;
        if (mxid.getBytes(StandardCharsets.UTF_8).length > MAX_MXID_BYTES) {
            throw new IllegalArgumentException("ghost id of " + person + " would exceed " + MAX_MXID_BYTES + " bytes");
        }
        return mxid;
    }

    /** The person a ghost MXID stands for, or empty if it is not a well-formed ghost of this bridge. */
    public Optional<UserRef> personOf(String mxid) {
        return decodeSigiled(mxid, '@', addressing::canonicalUser).map(p -> UserRef.of(p.network(), p.address()));
    }

    /** The alias under which a room of another network is reachable: {@code #_xmpp_room=40conf.example:hs}. */
    public String aliasFor(Network network, String address) {
        if (!networks.contains(network.value())) {
            throw new IllegalArgumentException("no alias namespace for network " + network);
        }
        String alias = "#" + prefix(network.value()) + encode(addressing.canonicalRoom(network, address)) + ":" + serverName;
        if (alias.getBytes(StandardCharsets.UTF_8).length > MAX_MXID_BYTES) {
            throw new IllegalArgumentException("alias for " + address + " would exceed " + MAX_MXID_BYTES + " bytes");
        }
        return alias;
    }

    /** The room address an alias of this bridge names, or empty if it is not one. */
    public Optional<Address> addressOfAlias(String alias) {
        return decodeSigiled(alias, '#', addressing::canonicalRoom);
    }

    /** True for the bot and for anything in a ghost namespace on this server, decodable or not. */
    public boolean isBridgeUser(String mxid) {
        if (mxid == null) {
            return false;
        }
        if (mxid.equals(botUserId)) {
            return true;
        }
        String suffix = ":" + serverName;
        if (!mxid.startsWith("@") || !mxid.endsWith(suffix)) {
            return false;
        }
        String localpart = mxid.substring(1, mxid.length() - suffix.length());
        return networks.stream().anyMatch(n -> localpart.startsWith(prefix(n)));
    }

    /** The localpart of an MXID on this server, or empty if it is on another server or malformed. */
    public Optional<String> localpartOf(String mxid) {
        String suffix = ":" + serverName;
        if (mxid == null || !mxid.startsWith("@") || !mxid.endsWith(suffix) || mxid.length() <= suffix.length() + 1) {
            return Optional.empty();
        }
        return Optional.of(mxid.substring(1, mxid.length() - suffix.length()));
    }

    private Optional<Address> decodeSigiled(String id, char sigil,
                                            java.util.function.BiFunction<Network, String, String> canonical) {
        String suffix = ":" + serverName;
        if (id == null || id.length() < 2 || id.charAt(0) != sigil || !id.endsWith(suffix)) {
            return Optional.empty();
        }
        String localpart = id.substring(1, id.length() - suffix.length());
        for (String network : networks) {
            String prefix = prefix(network);
            if (localpart.startsWith(prefix) && localpart.length() > prefix.length()) {
                return decode(localpart.substring(prefix.length()))
                        .filter(address -> canonical.apply(Network.of(network), address).equals(address))
                        .map(address -> new Address(network, address));
            }
        }
        return Optional.empty();
    }

    /** A decoded ghost or alias: which network, and the id or address there. */
    public record Address(String network, String address) {
    }

    /** The Matrix spec appendix encoding of an arbitrary string (see the class comment). */
    public static String encode(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'A' && c <= 'Z') {
                out.append('_').append((char) (c - 'A' + 'a'));
            } else if (c == '_') {
                out.append("__");
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
                out.append((char) c);
            } else {
                out.append('=').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return out.toString();
    }

    /** Reverses {@link #encode}; empty unless {@code encoded} is exactly the encoding of some string. */
    public static Optional<String> decode(String encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        int i = 0;
        while (i < encoded.length()) {
            char c = encoded.charAt(i);
            if (c == '_') {
                if (i + 1 >= encoded.length()) {
                    return Optional.empty();
                }
                char next = encoded.charAt(i + 1);
                if (next == '_') {
                    bytes.write('_');
                } else if (next >= 'a' && next <= 'z') {
                    bytes.write(next - 'a' + 'A');
                } else {
                    return Optional.empty();
                }
                i += 2;
            } else if (c == '=') {
                if (i + 2 >= encoded.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(encoded.charAt(i + 1), 16);
                int lo = Character.digit(encoded.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                bytes.write(hi << 4 | lo);
                i += 3;
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
                bytes.write(c);
                i++;
            } else {
                return Optional.empty();
            }
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
        // Only the canonical form decodes, so the mapping is a bijection (no "=61" for "a").
        return encode(decoded).equals(encoded) ? Optional.of(decoded) : Optional.empty();
    }
}
