-- Deliveries a store-and-forward network accepted for later delivery (a SIP phone that is offline, a
-- 202 from a queuing proxy) whose final outcome its adapter reports later (DeliveryOutcomes). Kept so
-- that a late failure still reaches its author after a restart, and only once.
-- state: PENDING (awaiting the outcome; event_json = the origin event to report about),
--        FAILED  (settled as failed, author not told yet; deleted once told),
--        EARLY_DELIVERED / EARLY_FAILED (the outcome came before the router recorded PENDING).
-- No fk to rooms or outbox: the outbox entry completes while the outcome is still pending.
CREATE TABLE late_outcome (
    message_id  VARCHAR(1024)            NOT NULL,
    network     VARCHAR(64)              NOT NULL,
    remote_room VARCHAR(1024)            NOT NULL,
    state       VARCHAR(16)              NOT NULL,
    room_id     VARCHAR(1024),
    event_json  VARCHAR(1000000),
    attempts    INT                      NOT NULL,
    reason      VARCHAR(1024)            NOT NULL,
    since       TIMESTAMP WITH TIME ZONE NOT NULL,
    settled_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_late_outcome PRIMARY KEY (message_id, network, remote_room),
    CONSTRAINT ck_late_outcome_state CHECK (state IN ('PENDING', 'FAILED', 'EARLY_DELIVERED', 'EARLY_FAILED'))
);
CREATE INDEX ix_late_outcome_state ON late_outcome (state, since);
