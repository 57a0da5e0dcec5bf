package org.bridgeappliance.adapter.matrix.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.bridgeappliance.core.id.UserRef;
import org.bridgeappliance.core.model.MembershipEvent;
import org.bridgeappliance.core.model.MembershipEvent.Membership;
import org.bridgeappliance.core.model.Profile;
import org.bridgeappliance.core.model.RoomInfoEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** m.room.member transitions (joins, leaves, kicks, bans, display names) and m.room.name/topic/avatar. */
class InboundMembershipAndRoomTest extends InboundFixture {

    static String member(String sender, String subject, String content, String prevContent) {
        return "{\"type\":\"m.room.member\",\"room_id\":\"!room:matrix.test\",\"sender\":\"" + sender + "\","
                + "\"state_key\":\"" + subject + "\",\"event_id\":\"$m\",\"origin_server_ts\":1,\"content\":" + content
                + (prevContent == null ? "" : ",\"unsigned\":{\"prev_content\":" + prevContent + "}") + "}";
    }

    @ParameterizedTest(name = "{0} {1}: {2} -> {3}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "@alice:matrix.test|@alice:matrix.test|{\"membership\":\"join\"}|null|JOIN",
        "@alice:matrix.test|@alice:matrix.test|{\"membership\":\"join\"}|{\"membership\":\"invite\"}|JOIN",
        "@alice:matrix.test|@alice:matrix.test|{\"membership\":\"leave\"}|{\"membership\":\"join\"}|LEAVE",
        "@mod:matrix.test|@alice:matrix.test|{\"membership\":\"leave\",\"reason\":\"r\"}|{\"membership\":\"join\"}|KICK",
        "@mod:matrix.test|@alice:matrix.test|{\"membership\":\"ban\"}|{\"membership\":\"join\"}|BAN",
        "@mod:matrix.test|@alice:matrix.test|{\"membership\":\"invite\"}|null|INVITE",
        "@alice:matrix.test|@alice:matrix.test|{\"membership\":\"join\",\"displayname\":\"Al\"}|{\"membership\":\"join\",\"displayname\":\"Alice\"}|PROFILE_CHANGE",
    })
    void transitions(String sender, String subject, String content, String prev, Membership expected) {
        MembershipEvent m = (MembershipEvent) convert(member(sender, subject, content, prev)).get(0);
        assertEquals(expected, m.membership());
        assertEquals(UserRef.of("matrix", subject), m.subject());
        assertEquals(UserRef.of("matrix", sender), m.sender());
    }

    @Test
    void joinCarriesTheNewProfile() {
        MembershipEvent m = (MembershipEvent) convert(member("@alice:matrix.test", "@alice:matrix.test",
                "{\"membership\":\"join\",\"displayname\":\"Alice A.\"}", null)).get(0);
        assertEquals(Profile.named("Alice A."), m.meta().profile());
    }

    @Test
    void kickCarriesTheReason() {
        MembershipEvent m = (MembershipEvent) convert(member("@mod:matrix.test", "@alice:matrix.test",
                "{\"membership\":\"leave\",\"reason\":\"spam\"}", "{\"membership\":\"join\"}")).get(0);
        assertEquals(Optional.of("spam"), m.reason());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        // unchanged join (e.g. an avatar-less re-join event with the same profile)
        "@alice:matrix.test|@alice:matrix.test|{\"membership\":\"join\"}|{\"membership\":\"join\"}",
        // unban
        "@mod:matrix.test|@alice:matrix.test|{\"membership\":\"leave\"}|{\"membership\":\"ban\"}",
        // ghosts' and the bot's memberships are the bridge's own
        "@bridgebot:matrix.test|@_xmpp_bob=40xmpp.test:matrix.test|{\"membership\":\"invite\"}|null",
        "@_xmpp_bob=40xmpp.test:matrix.test|@_xmpp_bob=40xmpp.test:matrix.test|{\"membership\":\"leave\"}|{\"membership\":\"join\"}",
        "@bridgebot:matrix.test|@_xmpp_bob=40xmpp.test:matrix.test|{\"membership\":\"leave\"}|{\"membership\":\"join\"}",
        "@mod:matrix.test|@_xmpp_bob=40xmpp.test:matrix.test|{\"membership\":\"leave\"}|{\"membership\":\"ban\"}",
        "@alice:matrix.test|@_xmpp_bob=40xmpp.test:matrix.test|{\"membership\":\"invite\"}|null",
        "@alice:matrix.test|@bridgebot:matrix.test|{\"membership\":\"invite\"}|null",
        "@alice:matrix.test|@alice:matrix.test|{\"membership\":\"knock\"}|null",
        "@alice:matrix.test|not-a-user|{\"membership\":\"join\"}|null",
    })
    void noCanonicalEvent(String sender, String subject, String content, String prev) {
        assertEquals(List.of(), convert(member(sender, subject, content, prev)));
    }

    @ParameterizedTest
    @CsvSource({"leave,KICK", "ban,BAN"})
    void moderatorRemovingAGhostRemovesItsPerson(String membership, Membership expected) {
        MembershipEvent m = (MembershipEvent) convert(member("@mod:matrix.test", "@_xmpp_bob=40xmpp.test:matrix.test",
                "{\"membership\":\"" + membership + "\",\"reason\":\"rude\"}", "{\"membership\":\"join\"}")).get(0);
        assertEquals(expected, m.membership());
        assertEquals(UserRef.of("xmpp", "bob@xmpp.test"), m.subject());
        assertEquals(UserRef.of("matrix", "@mod:matrix.test"), m.sender());
        assertEquals(Optional.of("rude"), m.reason());
    }

    @Test
    void roomNameTopicAndAvatar() {
        RoomInfoEvent name = (RoomInfoEvent) convert(state("m.room.name", "{\"name\":\"General\"}")).get(0);
        assertEquals(Optional.of("General"), name.name());
        assertEquals(Optional.empty(), name.topic());
        RoomInfoEvent topic = (RoomInfoEvent) convert(state("m.room.topic", "{\"topic\":\"Talk\"}")).get(0);
        assertEquals(Optional.of("Talk"), topic.topic());
        RoomInfoEvent avatar = (RoomInfoEvent) convert(state("m.room.avatar", "{\"url\":\"mxc://matrix.test/av\"}"))
                .get(0);
        assertEquals(Optional.of(java.net.URI.create("mxc://matrix.test/av")), avatar.avatar());
        RoomInfoEvent cleared = (RoomInfoEvent) convert(state("m.room.name", "{}")).get(0);
        assertEquals(Optional.of(""), cleared.name());
    }

    private static String state(String type, String content) {
        return "{\"type\":\"" + type + "\",\"room_id\":\"!room:matrix.test\",\"sender\":\"@alice:matrix.test\","
                + "\"state_key\":\"\",\"event_id\":\"$s\",\"origin_server_ts\":1,\"content\":" + content + "}";
    }
}
