-- The SIP adapter: sip_person_alias holds optional numeric aliases of Matrix/XMPP people (desk phones dial digits;
-- writing to the alias is writing to the person's puppet URI), set through the admin API; at most one alias per
-- person, each alias names one person. Rooms' aliases (V13) and people's share one number space (the adapter checks).
CREATE TABLE sip_person_alias (
    alias       VARCHAR(16)              NOT NULL,
    network     VARCHAR(32)              NOT NULL,
    person      VARCHAR(1024)            NOT NULL,
    CONSTRAINT pk_sip_person_alias PRIMARY KEY (alias),
    CONSTRAINT uq_sip_person_alias_person UNIQUE (network, person)
);

-- The SIP adapter: sip_room_reactions_off lists the SIP room portals (by slug) whose phones get no reactions (an
-- admin's per-room switch); rooms not listed get them as the router's text notices (the default).
CREATE TABLE sip_room_reactions_off (
    room_slug   VARCHAR(64)              NOT NULL,
    CONSTRAINT pk_sip_room_reactions_off PRIMARY KEY (room_slug)
);
