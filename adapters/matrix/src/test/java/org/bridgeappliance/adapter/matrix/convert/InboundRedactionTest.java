package org.bridgeappliance.adapter.matrix.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.bridgeappliance.core.id.RemoteMessageId;
import org.bridgeappliance.core.model.RetractionEvent;
import org.junit.jupiter.api.Test;

/** CS API "Redactions" (room versions up to 10 and 11): retractions and moderation. */
class InboundRedactionTest extends InboundFixture {
    @Test
    void redactionOfOwnMessageIsARetraction() {
        lookups = authorAndModerators("@alice:matrix.test");
        RetractionEvent r = (RetractionEvent) convert(redaction("\"redacts\":\"$msg\",", "{}")).get(0);
        assertEquals(RemoteMessageId.of("$msg"), r.target());
        assertEquals(false, r.moderation());
    }

    @Test
    void roomV11RedactionWithReasonByAModerator() {
        lookups = authorAndModerators("@bob:matrix.test", "@alice:matrix.test");
        RetractionEvent r = (RetractionEvent) convert(redaction("", "{\"redacts\":\"$msg\",\"reason\":\"spam\"}"))
                .get(0);
        assertEquals(RemoteMessageId.of("$msg"), r.target());
        assertEquals(true, r.moderation());
        assertEquals(Optional.of("spam"), r.reason());
    }

    /**
     * Issue 9: room versions 3 and later accept anyone's redaction event and only withhold its effect, so the
     * homeserver pushes a redaction of bob's message by alice even when alice lacks the redact power level: it
     * must not become a moderation that other networks carry out.
     */
    @Test
    void aRedactionOfSomeoneElsesMessageBelowTheRedactLevelIsNotBridged() {
        lookups = authorAndModerators("@bob:matrix.test");
        assertEquals(java.util.List.of(), convert(redaction("", "{\"redacts\":\"$msg\"}")));
    }

    /** Lookups where every message was written by {@code author} and only {@code moderators} reach the redact level. */
    private static MatrixInboundConverter.Lookups authorAndModerators(String author, String... moderators) {
        return new MatrixInboundConverter.Lookups() {
            @Override
            public Optional<String> authorOf(String roomId, String eventId) {
                return Optional.of(author);
            }

            @Override
            public boolean mayRedactOthers(String roomId, String userId) {
                return java.util.List.of(moderators).contains(userId);
            }
        };
    }

    private static String redaction(String topLevel, String content) {
        return "{\"type\":\"m.room.redaction\",\"room_id\":\"!room:matrix.test\",\"sender\":\"@alice:matrix.test\","
                + "\"event_id\":\"$red\"," + topLevel + "\"origin_server_ts\":1,\"content\":" + content + "}";
    }
}
