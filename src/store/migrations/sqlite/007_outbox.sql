-- 007_outbox: the forwarders' outbox (ADR 017). A commit that forwards writes its rows in the
-- data's own transaction; a forwarder reads its rows in seq order and deletes them once its peer
-- acknowledged them. AUTOINCREMENT: a seq is never used twice, even after the outbox emptied, so
-- a forwarder reading after the last seq it saw never misses a new row.
CREATE TABLE outbox (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  forwarder      TEXT NOT NULL,
  integration_id TEXT NOT NULL,
  device_name    TEXT NOT NULL,
  device_type    TEXT NOT NULL,
  entry_json     TEXT NOT NULL,
  created_at     INTEGER NOT NULL
);
CREATE INDEX outbox_forwarder ON outbox (forwarder, seq);
