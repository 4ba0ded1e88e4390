-- 003_conversion_journal: which messages an integration was converting when a conversion ran long
-- (written after it had run for a while, removed when it ends). A row found at start names the
-- messages that were being converted when Cloudbridge stopped; see src/app/conversion-journal.ts.
CREATE TABLE conversion_journal (
  integration_id TEXT PRIMARY KEY,
  source_keys    TEXT NOT NULL,
  started_at     INTEGER NOT NULL
);
