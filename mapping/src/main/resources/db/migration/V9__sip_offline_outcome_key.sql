-- The SIP adapter's offline queue: the key of an awaited 1:1 delivery (DeliveryOutcomes) gets its own column.
-- Until V8 it was written into author as 'outcome <last> <message id> <network> <room>', the author then lost.
-- outcome_key holds '<last> <message id> <network> <room>' (last = 1 on the delivery's final part), NULL when
-- nobody awaits the row's outcome. Rows queued under V8 are moved over; their author was not kept.
ALTER TABLE sip_offline_queue ADD COLUMN outcome_key VARCHAR(1100);
UPDATE sip_offline_queue SET outcome_key = SUBSTRING(author FROM 9), author = 'unknown'
    WHERE author LIKE 'outcome %';
