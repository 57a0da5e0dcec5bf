package org.bridgeappliance.adapter.matrix.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Matrix identifier grammar as the admin API gets it (rows moved from admin-ui's InputsTest). */
class MatrixAddressSyntaxTest {
    private final MatrixAddressSyntax syntax = MatrixAddressSyntax.INSTANCE;

    @ParameterizedTest
    @ValueSource(strings = {"!abc:matrix.test", "!AbC:matrix.test:8448", "!hashOnlyRoomV12", "#Lobby:matrix.test",
        "!x:[::1]:8448"})
    void acceptsRoomsAsWritten(String room) {
        assertEquals(room, syntax.room(room).value().orElseThrow(), "case-sensitive: kept as is");
    }

    @ParameterizedTest
    @ValueSource(strings = {"room:matrix.test", "!abc:", "#alias", "!a b:matrix.test"})
    void rejectsBadRoomsNamingTheForm(String room) {
        assertEquals("a Matrix room is a room id like !abc:example.org or an alias like #room:example.org",
                syntax.room(room).problem().orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"@alice:matrix.test", "@Alice:matrix.test:8448"})
    void acceptsUsersAsWritten(String user) {
        assertEquals(user, syntax.user(user).value().orElseThrow());
        assertEquals(user, syntax.canonicalUser(user));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice:matrix.test", "@alice"})
    void rejectsBadUsers(String user) {
        assertFalse(syntax.user(user).isValid());
    }
}
