-- 002_compact_ingest: smaller rows and keys on the ingest hot path (bench/store-ingest.ts). A
-- commit costs about one WAL frame per page it changes, so smaller rows (fewer page splits) and
-- integer key comparisons make it cheaper. Existing data is carried over.

-- Telemetry key names become small integers. Dictionary rows are never deleted.
CREATE TABLE telemetry_keys (
  id  INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE
);
INSERT INTO telemetry_keys (key) SELECT key FROM telemetry_latest UNION SELECT key FROM telemetry ORDER BY 1;

CREATE TABLE telemetry_v2 (
  entity_seq INTEGER NOT NULL REFERENCES entities (seq) ON DELETE CASCADE,
  key_id     INTEGER NOT NULL,
  ts         INTEGER NOT NULL,
  value_type TEXT NOT NULL,
  bool_v     INTEGER,
  long_v     INTEGER,
  dbl_v      REAL,
  str_v      TEXT,
  json_v     TEXT,
  PRIMARY KEY (entity_seq, key_id, ts)
) WITHOUT ROWID;
INSERT INTO telemetry_v2 (entity_seq, key_id, ts, value_type, bool_v, long_v, dbl_v, str_v, json_v)
  SELECT t.entity_seq, k.id, t.ts, t.value_type, t.bool_v, t.long_v, t.dbl_v, t.str_v, t.json_v
  FROM telemetry t JOIN telemetry_keys k ON k.key = t.key;
DROP TABLE telemetry;
ALTER TABLE telemetry_v2 RENAME TO telemetry;

-- The newest point per (entity, key); written in the same transaction as telemetry, only forward.
CREATE TABLE telemetry_latest_v2 (
  entity_seq INTEGER NOT NULL REFERENCES entities (seq) ON DELETE CASCADE,
  key_id     INTEGER NOT NULL,
  ts         INTEGER NOT NULL,
  value_type TEXT NOT NULL,
  bool_v     INTEGER,
  long_v     INTEGER,
  dbl_v      REAL,
  str_v      TEXT,
  json_v     TEXT,
  PRIMARY KEY (entity_seq, key_id)
) WITHOUT ROWID;
INSERT INTO telemetry_latest_v2 (entity_seq, key_id, ts, value_type, bool_v, long_v, dbl_v, str_v, json_v)
  SELECT l.entity_seq, k.id, l.ts, l.value_type, l.bool_v, l.long_v, l.dbl_v, l.str_v, l.json_v
  FROM telemetry_latest l JOIN telemetry_keys k ON k.key = l.key;
DROP TABLE telemetry_latest;
ALTER TABLE telemetry_latest_v2 RENAME TO telemetry_latest;

-- Dedupe keys name their integration by a small integer, and a sourceKey written in lowercase
-- hex (the MQTT content hash) is kept as the bytes it spells: half the size, and a BLOB never
-- equals a TEXT key, so every sourceKey still has exactly one stored form. source_key has no
-- declared type (no affinity), so each value keeps the storage class it was written with.
CREATE TABLE dedupe_integrations (
  id             INTEGER PRIMARY KEY,
  integration_id TEXT NOT NULL UNIQUE
);
INSERT INTO dedupe_integrations (integration_id) SELECT DISTINCT integration_id FROM dedupe_keys ORDER BY 1;

CREATE TABLE dedupe_keys_v2 (
  integration  INTEGER NOT NULL,
  source_key   NOT NULL,
  committed_at INTEGER NOT NULL,
  PRIMARY KEY (integration, source_key)
) WITHOUT ROWID;
INSERT INTO dedupe_keys_v2 (integration, source_key, committed_at)
  SELECT i.id,
    CASE WHEN length(d.source_key) > 0 AND length(d.source_key) % 2 = 0 AND d.source_key NOT GLOB '*[^0-9a-f]*'
      THEN unhex(d.source_key) ELSE d.source_key END,
    d.committed_at
  FROM dedupe_keys d JOIN dedupe_integrations i ON i.integration_id = d.integration_id;
DROP TABLE dedupe_keys;
ALTER TABLE dedupe_keys_v2 RENAME TO dedupe_keys;
CREATE INDEX dedupe_keys_committed_at ON dedupe_keys (committed_at);
