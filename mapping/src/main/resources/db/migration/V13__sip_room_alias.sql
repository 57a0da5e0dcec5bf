-- The SIP adapter: sip_room_alias holds optional numeric aliases of SIP room portals (desk phones dial digits), set
-- through the admin API; at most one alias per room, each alias names one room.
CREATE TABLE sip_room_alias (
    alias       VARCHAR(16)              NOT NULL,
    room_slug   VARCHAR(64)              NOT NULL,
    CONSTRAINT pk_sip_room_alias PRIMARY KEY (alias),
    CONSTRAINT uq_sip_room_alias_room UNIQUE (room_slug)
);
