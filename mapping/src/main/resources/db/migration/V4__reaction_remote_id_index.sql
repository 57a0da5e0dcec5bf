-- ReactionStore.findByRemoteId: a Matrix redaction names only the m.annotation event it removes
-- (Matrix strips the redacted reaction's content), so reactions are also looked up by their own id.
CREATE INDEX ix_reaction_remote_id ON reaction (network, remote_room, remote_id);
