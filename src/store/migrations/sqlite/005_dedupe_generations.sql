-- 005_dedupe_generations: dedupe keys as 16-byte digests in two generation tables (ADR 011).
-- A key is stored as the first 16 bytes of SHA-256(integration id, NUL, sourceKey)
-- (src/store/dedupe-digest.ts; cb_dedupe_digest() is that function, defined by the migration
-- runner), with the integration's small id for deleting an integration's keys. New keys go to the
-- generation that started last; housekeeping empties the other one whole once all its keys are
-- past the retention (src/store/dedupe-generations.ts), so keys are never pruned row by row and
-- need no committed_at index.
CREATE TABLE dedupe_generations (
  slot       INTEGER PRIMARY KEY CHECK (slot IN (0, 1)),
  started_at INTEGER NOT NULL
);

CREATE TABLE dedupe_keys_0 (
  digest      BLOB PRIMARY KEY,
  integration INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE dedupe_keys_1 (
  digest      BLOB PRIMARY KEY,
  integration INTEGER NOT NULL
) WITHOUT ROWID;

-- The existing keys become the previous generation, which started with the oldest of them; the
-- current one starts right after the newest, so the first prune whose cutoff is past all of them
-- empties them whole. A key 002 stored as bytes was spelled in lowercase hex.
INSERT OR IGNORE INTO dedupe_keys_0 (digest, integration)
  SELECT cb_dedupe_digest(i.integration_id, CASE WHEN typeof(d.source_key) = 'blob' THEN lower(hex(d.source_key)) ELSE d.source_key END),
    d.integration
  FROM dedupe_keys d JOIN dedupe_integrations i ON i.id = d.integration
  ORDER BY 1;

INSERT INTO dedupe_generations (slot, started_at)
  SELECT 0, coalesce(min(committed_at), CAST(unixepoch('subsec') * 1000 AS INTEGER) - 1) FROM dedupe_keys
  UNION ALL
  SELECT 1, coalesce(max(committed_at) + 1, CAST(unixepoch('subsec') * 1000 AS INTEGER)) FROM dedupe_keys;

DROP TABLE dedupe_keys;
