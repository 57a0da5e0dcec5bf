package org.bridgeappliance.adapter.matrix.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.Portal;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MessageBody;
import org.bridgeappliance.core.model.MessageEvent;
import org.bridgeappliance.core.model.MessageKind;
import org.bridgeappliance.core.model.Profile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** CS API m.room.message with msgtype m.text, m.notice, m.emote; formatted_body in org.matrix.custom.html. */
class InboundTextMessageTest extends InboundFixture {

    @ParameterizedTest
    @CsvSource({"m.text,TEXT", "m.notice,NOTICE", "m.emote,EMOTE", "m.unknown.type,TEXT", "m.location,TEXT"})
    void msgtypesMapToKinds(String msgtype, MessageKind kind) {
        List<?> events = convert(message("{\"msgtype\":\"" + msgtype + "\",\"body\":\"hello\"}"));
        MessageEvent m = (MessageEvent) events.get(0);
        assertEquals(kind, m.kind());
        assertEquals(MessageBody.plain("hello"), m.body());
    }

    @Test
    void carriesOriginSenderIdAndTimestamp() {
        lookups = new MatrixInboundConverter.Lookups() {
            @Override
            public Profile profileOf(String roomId, String userId) {
                return Profile.named("Alice");
            }
        };
        MessageEvent m = (MessageEvent) convert(message("{\"msgtype\":\"m.text\",\"body\":\"hi\"}")).get(0);
        assertEquals(Portal.of("matrix", "!room:matrix.test"), m.origin());
        assertEquals(UserRef.of("matrix", "@alice:matrix.test"), m.sender());
        assertEquals(Optional.of(RemoteMessageId.of("$ev1")), m.remoteId());
        assertEquals(Instant.ofEpochMilli(1764144000000L), m.timestamp());
        assertEquals(Profile.named("Alice"), m.meta().profile());
        assertEquals(Optional.empty(), m.replyTo());
    }

    @Test
    void keepsSafeFormatting() {
        MessageEvent m = (MessageEvent) convert(message("{\"msgtype\":\"m.text\",\"body\":\"bold and link\","
                + "\"format\":\"org.matrix.custom.html\",\"formatted_body\":"
                + "\"<b>bold</b> and <a href=\\\"https://example.org\\\">link</a><code class=\\\"language-java\\\">x</code>\"}"))
                .get(0);
        assertEquals(Optional.of("<b>bold</b> and <a href=\"https://example.org\">link</a>"
                + "<code class=\"language-java\">x</code>"), m.body().html());
        assertEquals("bold and link", m.body().plain());
    }

    @Test
    void htmlWithoutTheMatrixFormatIsIgnored() {
        MessageEvent m = (MessageEvent) convert(message("{\"msgtype\":\"m.text\",\"body\":\"x\","
                + "\"formatted_body\":\"<b>x</b>\"}")).get(0);
        assertEquals(MessageBody.plain("x"), m.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"msgtype\":\"m.text\"}",
        "{\"msgtype\":\"m.text\",\"body\":42}",
        "[]"})
    void unusableContentYieldsNothing(String content) {
        assertEquals(List.of(), convert(message(content)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"m.room.message\",\"room_id\":\"!r:m\",\"event_id\":\"$e\",\"content\":{\"body\":\"x\"}}",
        "{\"type\":\"m.room.message\",\"room_id\":\"!r:m\",\"sender\":\"alice\",\"event_id\":\"$e\",\"content\":{\"body\":\"x\"}}",
        "{\"type\":\"m.room.message\",\"room_id\":\"r\",\"sender\":\"@a:m\",\"event_id\":\"$e\",\"content\":{\"body\":\"x\"}}",
        "{\"type\":\"m.room.message\",\"room_id\":\"!r:m\",\"sender\":\"@a:m\",\"content\":{\"body\":\"x\"}}",
        "{\"type\":\"m.room.message\",\"room_id\":\"!r:m\",\"sender\":\"@a:m\",\"event_id\":\"e\",\"content\":{\"body\":\"x\"}}",
        "{\"type\":\"m.room.message\",\"room_id\":\"!r:m\",\"sender\":\"@a:m\",\"event_id\":\"$e\",\"state_key\":\"\",\"content\":{\"body\":\"x\"}}",
        "{\"type\":\"m.room.encrypted\",\"room_id\":\"!r:m\",\"sender\":\"@a:m\",\"event_id\":\"$e\",\"content\":{\"ciphertext\":\"x\"}}",
        "{}"})
    void malformedEventsYieldNothing(String event) {
        assertEquals(List.of(), convert(event));
    }

    @ParameterizedTest
    @ValueSource(strings = {"@bridgebot:matrix.test", "@_xmpp_bob=40xmpp.test:matrix.test", "@_sip_x:matrix.test"})
    void eventsOfTheBridgesOwnUsersAreNeverBridgedBack(String sender) {
        String event = message("{\"msgtype\":\"m.text\",\"body\":\"echo\"}").replace("@alice:matrix.test", sender);
        assertEquals(List.of(), convert(event));
        assertTrue(convert(message("{\"msgtype\":\"m.text\",\"body\":\"echo\"}")).size() == 1);
    }
}
