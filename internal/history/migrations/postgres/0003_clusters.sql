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
-- The indexes follow the queries' order (the fingerprint breaks ties), so that a query
-- with a limit reads that many entries, not every finding since a time: a year of daily
-- audits of a 30,000-object cluster holds hundreds of thousands (docs/audit.md). The open
-- findings' index also finds those an audit no longer saw (Record), and no index holds
-- last_audit, which every audit changes in every row it saw.
CREATE INDEX findings_new ON findings (cluster, first_seen, fingerprint) WHERE fixed_at IS NULL;
CREATE INDEX findings_fixed_at ON findings (cluster, fixed_at, fingerprint);
-- The fleet's worst open findings: read severity by severity, oldest first.
CREATE INDEX findings_open_severity ON findings (severity, first_seen, cluster, fingerprint) WHERE fixed_at IS NULL;

-- Each cluster and its latest audit: the fleet view reads one row per cluster.
CREATE TABLE clusters (
	name           TEXT PRIMARY KEY,
	latest_audit   BIGINT REFERENCES audits (id) ON DELETE SET NULL,
	latest_started BIGINT NOT NULL
);
INSERT INTO clusters (name, latest_audit, latest_started)
	SELECT '', id, started FROM audits ORDER BY started DESC, id DESC LIMIT 1;
