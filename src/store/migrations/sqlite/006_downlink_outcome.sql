-- 006_downlink_outcome: the final outcome a connector reports for a sent downlink (ADR 015):
-- delivered, expired, rejected, purged, deliveryCountExceeded; with the cloud's detail and time.
ALTER TABLE downlinks ADD COLUMN outcome TEXT CHECK (outcome IN ('delivered', 'expired', 'rejected', 'purged', 'deliveryCountExceeded'));
ALTER TABLE downlinks ADD COLUMN outcome_detail TEXT;
ALTER TABLE downlinks ADD COLUMN outcome_at INTEGER;
