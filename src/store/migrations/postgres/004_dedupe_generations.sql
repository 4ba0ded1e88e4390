-- 004_dedupe_generations: dedupe keys as 16-byte digests in two generation tables (ADR 011).
-- A key is stored as the first 16 bytes of SHA-256(integration id, NUL, sourceKey), UTF-8
-- (src/store/dedupe-digest.ts computes the same bytes). New keys go to the generation that started
-- last; housekeeping empties the other one whole (TRUNCATE) once all its keys are past the
-- retention (src/store/dedupe-generations.ts), so keys are never deleted row by row, leave no dead
-- rows for VACUUM and need no committed_at index. Commits lock both rows of dedupe_generations
-- FOR KEY SHARE, a prune FOR UPDATE (src/store/postgres/dedupe-keys.ts).
CREATE TABLE dedupe_generations (
  slot       SMALLINT PRIMARY KEY CHECK (slot IN (0, 1)),
  started_at BIGINT NOT NULL
);

CREATE TABLE dedupe_keys_0 (
  digest         BYTEA PRIMARY KEY,
  integration_id TEXT NOT NULL
);

CREATE TABLE dedupe_keys_1 (
  digest         BYTEA PRIMARY KEY,
  integration_id TEXT NOT NULL
);

-- The existing keys become the previous generation, which started with the oldest of them; the
-- current one starts right after the newest, so the first prune whose cutoff is past all of them
-- empties them whole.
INSERT INTO dedupe_keys_0 (digest, integration_id)
  SELECT substring(sha256(convert_to(integration_id, 'UTF8') || '\x00'::bytea || convert_to(source_key, 'UTF8')) FROM 1 FOR 16), integration_id
  FROM dedupe_keys
  ORDER BY 1
  ON CONFLICT (digest) DO NOTHING;

INSERT INTO dedupe_generations (slot, started_at)
  SELECT 0, coalesce(min(committed_at), (extract(epoch FROM clock_timestamp()) * 1000)::bigint - 1) FROM dedupe_keys
  UNION ALL
  SELECT 1, coalesce(max(committed_at) + 1, (extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM dedupe_keys;

DROP TABLE dedupe_keys;
