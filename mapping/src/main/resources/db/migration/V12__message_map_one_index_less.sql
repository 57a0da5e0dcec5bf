-- Hot path (deploy/bench/README.md, "Hot path"): every bridged message writes two message_map rows (its origin and
-- its copy), and each row wrote five B-trees. The unique key is reordered so that its prefix (network, remote_room,
-- remote_id) serves the lookups ix_message_map_remote served (findInPortal), and that index goes: four B-trees per
-- row. The key's columns, and so what it refuses, are unchanged; findByAuthor and the conflict check still use it
-- in full (all five of their columns are equalities).
ALTER TABLE message_map DROP CONSTRAINT uq_message_map;
ALTER TABLE message_map ADD CONSTRAINT uq_message_map UNIQUE (network, remote_room, remote_id, author_network, author_id, part);
DROP INDEX ix_message_map_remote;
