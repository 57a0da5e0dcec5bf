package org.bridgeappliance.adapter.xmpp.disco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.bridgeappliance.adapter.xmpp.component.StanzaSender;
import org.bridgeappliance.core.port.RoomListing.ListedRoom;
import org.bridgeappliance.core.port.RoomListing.RoomListingException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;

/** XEP-0045 §6.3 "Discovering Rooms": disco#items of the MUC service, filtered and bounded for the room picker. */
class MucRoomListingTest {

    private static DiscoverItems.Item item(String jid, String name) {
        DiscoverItems.Item item = new DiscoverItems.Item(JidCreate.fromOrThrowUnchecked(jid));
        item.setName(name);
        return item;
    }

    /** A connected sender whose IQ round trips {@code answers} decides. */
    private static StanzaSender sender(Function<IQ, CompletableFuture<IQ>> answers) {
        return new StanzaSender() {
            @Override
            public void send(Stanza stanza) {
            }

            @Override
            public CompletableFuture<IQ> request(IQ iq, Duration timeout) {
                return answers.apply(iq);
            }

            @Override
            public boolean isConnected() {
                return true;
            }
        };
    }

    /** A sender that answers every IQ with {@code answer} (null: never answers). */
    private static StanzaSender answering(IQ answer) {
        return sender(iq -> answer == null ? CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException())
                : CompletableFuture.completedFuture(answer));
    }

    @Test
    void roomsAreFilteredByAddressOrNameCaseInsensitivelyAndBounded() {
        List<DiscoverItems.Item> items = List.of(item("Lobby@conference.xmpp.test", "The Lobby"),
                item("dev@conference.xmpp.test", "Developers"), item("conference.xmpp.test", "the service itself"),
                item("ops@conference.xmpp.test", null));
        List<ListedRoom> all = MucRoomListing.filter(items, "", 10);
        assertEquals(List.of("lobby@conference.xmpp.test", "dev@conference.xmpp.test", "ops@conference.xmpp.test"),
                all.stream().map(r -> r.room().value()).toList(), "bare room JIDs only, case-folded");
        assertEquals(Optional.of("The Lobby"), all.get(0).name());
        assertEquals(Optional.empty(), all.get(2).name());
        assertEquals(List.of("dev@conference.xmpp.test"),
                MucRoomListing.filter(items, "DEVEL", 10).stream().map(r -> r.room().value()).toList());
        assertEquals(1, MucRoomListing.filter(items, "", 1).size());
    }

    @Test
    void anErrorOrNoAnswerIsAListingFailureForTheAdmin() {
        IQ error = IQ.createErrorResponse(new DiscoverItems(),
                org.jivesoftware.smack.packet.StanzaError.getBuilder(
                        org.jivesoftware.smack.packet.StanzaError.Condition.forbidden).build());
        RoomListingException refused = assertThrows(RoomListingException.class, () -> new MucRoomListing(
                answering(error), "conference.xmpp.test", "matrix.xmpp.test", Duration.ofMillis(100)).list("", 10));
        assertEquals("conference.xmpp.test refused to list its rooms: forbidden", refused.getMessage());
        assertThrows(RoomListingException.class, () -> new MucRoomListing(answering(null), "conference.xmpp.test",
                "matrix.xmpp.test", Duration.ofMillis(100)).list("", 10));
    }

    @Test
    void theQueryGoesFromTheComponentToTheMucService() {
        DiscoverItems answer = new DiscoverItems();
        answer.setType(IQ.Type.result);
        answer.addItem(item("a@conference.xmpp.test", "A"));
        IQ[] sent = new IQ[1];
        StanzaSender sender = sender(iq -> {
            sent[0] = iq;
            return CompletableFuture.completedFuture(answer);
        });
        assertEquals(1, new MucRoomListing(sender, "conference.xmpp.test", "matrix.xmpp.test", Duration.ofSeconds(1))
                .list("", 10).size());
        assertEquals("conference.xmpp.test", sent[0].getTo().toString());
        assertEquals("matrix.xmpp.test", sent[0].getFrom().toString());
        assertEquals(IQ.Type.get, sent[0].getType());
    }
}
