-- 008_retention: indexes for retention (src/app/retention.ts): dead letters and downlinks are
-- deleted by age in bounded batches, per integration (with its own retention) and for the rest.
-- Telemetry needs none (pruned per series through its primary key), events have events_ts and
-- events_integration already.
CREATE INDEX dead_letters_created ON dead_letters (created_at);
CREATE INDEX dead_letters_integration_created ON dead_letters (integration_id, created_at);
CREATE INDEX downlinks_created ON downlinks (created_at);
CREATE INDEX downlinks_integration_created ON downlinks (integration_id, created_at);

-- Per-integration retention (IntegrationConfig.retention): null keeps the global settings.
ALTER TABLE integrations ADD COLUMN retention_json TEXT;
