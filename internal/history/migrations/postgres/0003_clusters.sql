-- Version 3 (PostgreSQL): the cluster of each audit and finding, as
-- migrations/sqlite/0003_clusters.sql says; here the findings' key is changed in place.
ALTER TABLE audits ADD COLUMN cluster TEXT NOT NULL DEFAULT '';
DROP INDEX audits_started;
CREATE INDEX audits_cluster_started ON audits (cluster, started);

ALTER TABLE findings ADD COLUMN cluster TEXT NOT NULL DEFAULT '';
ALTER TABLE findings DROP CONSTRAINT findings_pkey;
ALTER TABLE findings ADD PRIMARY KEY (cluster, fingerprint);
DROP INDEX findings_first_seen;
DROP INDEX findings_fixed_at;
DROP INDEX findings_open;
CREATE INDEX findings_first_seen ON findings (cluster, first_seen);
CREATE INDEX findings_fixed_at ON findings (cluster, fixed_at);
CREATE INDEX findings_open ON findings (cluster, last_audit) WHERE fixed_at IS NULL;
-- The fleet's worst open findings: read severity by severity, oldest first.
CREATE INDEX findings_open_severity ON findings (severity, first_seen) WHERE fixed_at IS NULL;

-- Each cluster and its latest audit: the fleet view reads one row per cluster.
CREATE TABLE clusters (
	name           TEXT PRIMARY KEY,
	latest_audit   BIGINT REFERENCES audits (id) ON DELETE SET NULL,
	latest_started BIGINT NOT NULL
);
INSERT INTO clusters (name, latest_audit, latest_started)
	SELECT '', id, started FROM audits ORDER BY started DESC, id DESC LIMIT 1;
