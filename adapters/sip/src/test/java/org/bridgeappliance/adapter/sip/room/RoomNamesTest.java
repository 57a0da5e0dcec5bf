package org.bridgeappliance.adapter.sip.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Short names made unique per room. */
class RoomNamesTest {
    private final RoomNames names = new RoomNames(2, 3);

    @Test
    void theFirstAuthorKeepsANameOthersGetANumberAndRoomsAreIndependent() {
        assertEquals("Alice", names.shown("lobby", "matrix:@alice:m", "Alice"));
        assertEquals("Alice #2", names.shown("lobby", "xmpp:alice@x", "Alice"));
        assertEquals("Alice", names.shown("lobby", "matrix:@alice:m", "Alice"));
        assertEquals("Alice #2", names.shown("lobby", "xmpp:alice@x", "Alice"));
        assertEquals("Alice", names.shown("other", "xmpp:alice@x", "Alice"));
    }

    @Test
    void longNamesAreCutSoTheNumberFitsAndRenamesFreeTheOldName() {
        String longName = "Bartholomew Featherstonehaugh";
        assertEquals("Bartholomew Featherston…", names.shown("lobby", "a", longName));
        assertEquals("Bartholomew Featherst #2", names.shown("lobby", "b", longName + " Jr"));
        assertEquals("Bart", names.shown("lobby", "a", "Bart"));
        assertEquals("Bartholomew Featherston…", names.shown("lobby", "c", longName));
    }

    @Test
    void beyondTheBoundNamesAreOnlyShortenedAndOldRoomsAreForgotten() {
        names.shown("lobby", "a", "Sam");
        names.shown("lobby", "b", "Sam");
        names.shown("lobby", "c", "Sam");
        assertEquals("Sam", names.shown("lobby", "d", "Sam"));
        names.shown("two", "x", "Sam");
        names.shown("three", "x", "Sam"); // at most 2 rooms: lobby is dropped
        assertEquals("Sam", names.shown("lobby", "b", "Sam"));
    }
}
