-- 003_partition_leases: leases and checkpoints of partitioned sources (Kinesis shards, Event Hubs
-- partitions), one row per (integration, partition): who reads it (owner, fencing token, expiry)
-- and how far its data is committed (checkpoint), ADR 008. Replaces the plain `checkpoints` table:
-- its positions become unowned leases (token 0) that keep their checkpoint.
-- expires_at is in the database's clock (epoch ms); every commit of a partitioned source updates
-- its row, hence room in each page for HOT updates (no column that changes is indexed).
CREATE TABLE partition_leases (
  integration_id TEXT NOT NULL,
  partition      TEXT NOT NULL,
  owner          TEXT,
  token          BIGINT NOT NULL DEFAULT 0,
  expires_at     BIGINT NOT NULL DEFAULT 0,
  checkpoint     TEXT,
  meta_json      TEXT NOT NULL DEFAULT '{}',
  updated_at     BIGINT NOT NULL,
  PRIMARY KEY (integration_id, partition)
) WITH (fillfactor = 50);

INSERT INTO partition_leases (integration_id, partition, owner, token, expires_at, checkpoint, meta_json, updated_at)
  SELECT integration_id, partition, NULL, 0, 0, value, '{}', updated_at FROM checkpoints;

DROP TABLE checkpoints;
