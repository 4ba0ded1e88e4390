-- 001_init: the first Cloudbridge PostgreSQL schema. Times are epoch milliseconds (BIGINT); ids
-- are UUID text. Text that is sorted or compared (names, keys) uses the "C" collation, so order
-- and equality are by code point, as in the SQLite store, whatever the database's locale.
-- Applied in one transaction by the migration runner, which records it in schema_migrations.

CREATE TABLE converters (
  id          TEXT PRIMARY KEY,
  name        TEXT COLLATE "C" NOT NULL UNIQUE,
  type        TEXT NOT NULL CHECK (type IN ('uplink', 'downlink')),
  language    TEXT NOT NULL,
  script      TEXT NOT NULL,
  limits_json TEXT,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);

-- config_json holds the connector config as the app layer gives it (secret fields already encrypted).
CREATE TABLE integrations (
  id                    TEXT PRIMARY KEY,
  name                  TEXT COLLATE "C" NOT NULL UNIQUE,
  type                  TEXT NOT NULL,
  enabled               BOOLEAN NOT NULL,
  uplink_converter_id   TEXT NOT NULL,
  downlink_converter_id TEXT,
  allow_create_devices  BOOLEAN NOT NULL,
  debug_json            TEXT NOT NULL,
  metadata_json         TEXT NOT NULL,
  config_json           TEXT NOT NULL,
  created_at            BIGINT NOT NULL,
  updated_at            BIGINT NOT NULL
);

-- Devices and assets. `id` is the public identifier; `seq` is the compact key of the data tables.
CREATE TABLE entities (
  seq                       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                        TEXT NOT NULL UNIQUE,
  kind                      TEXT NOT NULL CHECK (kind IN ('DEVICE', 'ASSET')),
  name                      TEXT COLLATE "C" NOT NULL,
  type                      TEXT COLLATE "C" NOT NULL,
  label                     TEXT,
  customer_name             TEXT,
  group_name                TEXT,
  created_by_integration_id TEXT,
  created_at                BIGINT NOT NULL,
  UNIQUE (kind, name)
);
CREATE INDEX entities_name ON entities (name, kind);
CREATE INDEX entities_created_by ON entities (created_by_integration_id);

-- Typed values: value_type names the one non-null column among bool_v .. json_v (json_v is the
-- JSON text as written, so values round-trip exactly).
CREATE TABLE attributes (
  entity_seq BIGINT NOT NULL REFERENCES entities (seq) ON DELETE CASCADE,
  scope      TEXT COLLATE "C" NOT NULL CHECK (scope IN ('client', 'shared', 'server')),
  key        TEXT COLLATE "C" NOT NULL,
  value_type TEXT NOT NULL,
  bool_v     BOOLEAN,
  long_v     BIGINT,
  dbl_v      DOUBLE PRECISION,
  str_v      TEXT,
  json_v     TEXT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (entity_seq, scope, key)
);

CREATE TABLE telemetry (
  entity_seq BIGINT NOT NULL REFERENCES entities (seq) ON DELETE CASCADE,
  key        TEXT COLLATE "C" NOT NULL,
  ts         BIGINT NOT NULL,
  value_type TEXT NOT NULL,
  bool_v     BOOLEAN,
  long_v     BIGINT,
  dbl_v      DOUBLE PRECISION,
  str_v      TEXT,
  json_v     TEXT,
  PRIMARY KEY (entity_seq, key, ts)
);

-- The newest point per (entity, key); written in the same transaction as telemetry, only forward.
CREATE TABLE telemetry_latest (
  entity_seq BIGINT NOT NULL REFERENCES entities (seq) ON DELETE CASCADE,
  key        TEXT COLLATE "C" NOT NULL,
  ts         BIGINT NOT NULL,
  value_type TEXT NOT NULL,
  bool_v     BOOLEAN,
  long_v     BIGINT,
  dbl_v      DOUBLE PRECISION,
  str_v      TEXT,
  json_v     TEXT,
  PRIMARY KEY (entity_seq, key)
);

-- seq orders rows by insertion (ties in ts); id is the public identifier.
CREATE TABLE events (
  seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  integration_id TEXT,
  converter_id   TEXT,
  type           TEXT NOT NULL,
  ts             BIGINT NOT NULL,
  body_json      TEXT NOT NULL
);
CREATE INDEX events_ts ON events (ts, seq);
CREATE INDEX events_integration ON events (integration_id, ts, seq);
CREATE INDEX events_converter ON events (converter_id, ts, seq);

CREATE TABLE dead_letters (
  seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  integration_id TEXT NOT NULL,
  source_key     TEXT NOT NULL,
  stage          TEXT NOT NULL,
  error_code     TEXT NOT NULL,
  error          TEXT NOT NULL,
  payload        BYTEA NOT NULL,
  metadata_json  TEXT NOT NULL,
  received_at    BIGINT NOT NULL,
  created_at     BIGINT NOT NULL,
  state          TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'replayed', 'discarded')),
  replay_count   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX dead_letters_integration ON dead_letters (integration_id, state, seq);
CREATE INDEX dead_letters_state ON dead_letters (state, seq);

-- Idempotency: one row per committed source message. The primary key is what makes a key
-- committed by a concurrent transaction (another instance) turn this one's item into a duplicate.
CREATE TABLE dedupe_keys (
  integration_id TEXT COLLATE "C" NOT NULL,
  source_key     TEXT COLLATE "C" NOT NULL,
  committed_at   BIGINT NOT NULL,
  PRIMARY KEY (integration_id, source_key)
);
CREATE INDEX dedupe_keys_committed_at ON dedupe_keys (committed_at);

CREATE TABLE downlinks (
  seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  integration_id TEXT NOT NULL,
  device_name    TEXT NOT NULL,
  msg_type       TEXT NOT NULL,
  msg_json       TEXT NOT NULL,
  metadata_json  TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
  error          TEXT,
  attempts       INTEGER NOT NULL DEFAULT 0,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);
CREATE INDEX downlinks_queue ON downlinks (integration_id, status, seq);
CREATE INDEX downlinks_device ON downlinks (device_name, seq);

CREATE TABLE checkpoints (
  integration_id TEXT NOT NULL,
  partition      TEXT NOT NULL,
  value          TEXT NOT NULL,
  updated_at     BIGINT NOT NULL,
  PRIMARY KEY (integration_id, partition)
);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- hash is the SHA-256 hex of the token; the token itself is never stored.
CREATE TABLE api_tokens (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
  hash       TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
