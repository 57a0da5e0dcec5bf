package org.bridgeappliance.adapter.matrix.id;

import java.util.regex.Pattern;
import org.bridgeappliance.core.port.AddressSyntax;

/**
 * Matrix's address grammar for the rest of the appliance (Matrix spec, appendices "Identifier grammar"):
 * a room is a room id {@code !opaque:server} (from room version 12, MSC4291, just {@code !opaque}) or an
 * alias {@code #name:server}; a person is a user id {@code @localpart:server}. Every Matrix identifier is
 * case-sensitive, so the canonical form is the id as written. Stateless and thread-safe.
 */
public final class MatrixAddressSyntax implements AddressSyntax {
    /** One instance serves every caller. */
    public static final MatrixAddressSyntax INSTANCE = new MatrixAddressSyntax();

    private static final String HOST = "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}"
            + "[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]{2,45}\\])";
    private static final String PORT = "(?::[0-9]{1,5})?";
    private static final Pattern ROOM_ID = Pattern.compile("![^:\\s\\p{Cntrl}]+(?::" + HOST + PORT + ")?");
    private static final Pattern ALIAS = Pattern.compile("#[^:\\s\\p{Cntrl}]+:" + HOST + PORT);
    private static final Pattern USER = Pattern.compile("@[^:\\s\\p{Cntrl}]+:" + HOST + PORT);

    private MatrixAddressSyntax() {
    }

    @Override
    public Parsed room(String address) {
        if (!ROOM_ID.matcher(address).matches() && !ALIAS.matcher(address).matches()) {
            return Parsed.invalid(
                    "a Matrix room is a room id like !abc:example.org or an alias like #room:example.org");
        }
        return Parsed.valid(address); // case-sensitive by the Matrix spec
    }

    @Override
    public Parsed user(String address) {
        if (!USER.matcher(address).matches()) {
            return Parsed.invalid("a Matrix user is an id like @alice:example.org");
        }
        return Parsed.valid(address);
    }

    /** Matrix ids are case-sensitive and have no variant spellings: the id as it is. */
    @Override
    public String canonicalUser(String id) {
        return id;
    }

    @Override
    public String canonicalRoom(String address) {
        return address;
    }
}
