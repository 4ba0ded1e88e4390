-- 006_outbox: the forwarders' outbox (ADR 017). A commit that forwards writes its rows in the
-- data's own transaction; a forwarder reads its rows in seq order and deletes them once its peer
-- acknowledged them. Commits writing rows for one forwarder take its advisory lock until COMMIT,
-- so its rows become visible in seq order (a reader never finds a lower seq appearing later).
CREATE TABLE outbox (
  seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  forwarder      TEXT COLLATE "C" NOT NULL,
  integration_id TEXT NOT NULL,
  device_name    TEXT NOT NULL,
  device_type    TEXT NOT NULL,
  entry_json     TEXT NOT NULL,
  created_at     BIGINT NOT NULL
);
CREATE INDEX outbox_forwarder ON outbox (forwarder, seq);
