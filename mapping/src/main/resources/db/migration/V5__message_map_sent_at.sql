-- Retention (MessageRetention): finding the message-id map rows older than a cutoff without a table scan.
CREATE INDEX ix_message_map_sent_at ON message_map (sent_at);
