-- 008_audit: the audit log (docs/audit.md): every change made through the API, the CLI or the
-- config file, who made it, when, and the object before and after (secrets redacted).
CREATE TABLE audit (
  seq         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  ts          INTEGER NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('api', 'cli', 'config-file')),
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  entity_kind TEXT NOT NULL,
  entity_id   TEXT NOT NULL,
  entity_name TEXT,
  before_json TEXT,
  after_json  TEXT
);
CREATE INDEX audit_ts ON audit (ts, seq);
CREATE INDEX audit_entity ON audit (entity_kind, entity_id, ts, seq);
CREATE INDEX audit_actor ON audit (actor, ts, seq);
