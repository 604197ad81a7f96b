-- Version 3: the cluster of each audit and finding, so that several clusters' audits may
-- share one database (a fleet). A cluster is named by its ARM resource ID or a configured
-- name (akscheck serve --cluster-name). Fingerprints are per cluster: the same finding in two
-- clusters is two rows, so the findings' key becomes (cluster, fingerprint).
--
-- The rows written before this version get the empty cluster here; the akscheck that
-- migrates the database then gives them its own cluster's name in the same transaction
-- (migrate.go: a database of version 2 held one cluster's audits, and the server that
-- upgrades it is that cluster's).
ALTER TABLE audits ADD COLUMN cluster TEXT NOT NULL DEFAULT '';
DROP INDEX audits_started;
CREATE INDEX audits_cluster_started ON audits (cluster, started);

-- SQLite cannot change a table's primary key: the table is copied.
CREATE TABLE findings_v3 (
	cluster     TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	check_id    TEXT NOT NULL,
	item        TEXT NOT NULL,
	severity    TEXT NOT NULL,
	kind        TEXT NOT NULL,
	namespace   TEXT NOT NULL,
	name        TEXT NOT NULL,
	container   TEXT NOT NULL,
	message     TEXT NOT NULL,
	occurrences INTEGER NOT NULL,
	first_seen  INTEGER NOT NULL,
	last_seen   INTEGER NOT NULL,
	last_audit  INTEGER NOT NULL,
	fixed_at    INTEGER,
	PRIMARY KEY (cluster, fingerprint)
);
INSERT INTO findings_v3 (cluster, fingerprint, check_id, item, severity, kind, namespace, name, container, message,
	occurrences, first_seen, last_seen, last_audit, fixed_at)
	SELECT '', fingerprint, check_id, item, severity, kind, namespace, name, container, message,
	occurrences, first_seen, last_seen, last_audit, fixed_at FROM findings;
DROP TABLE findings;
ALTER TABLE findings_v3 RENAME TO findings;
-- The indexes follow the queries' order (the fingerprint breaks ties), so that a query
-- with a limit reads that many entries, not every finding since a time: a year of daily
-- audits of a 30,000-object cluster holds hundreds of thousands (docs/audit.md). The open
-- findings' index also finds those an audit no longer saw (Record), and no index holds
-- last_audit, which every audit changes in every row it saw.
CREATE INDEX findings_new ON findings (cluster, first_seen, fingerprint) WHERE fixed_at IS NULL;
CREATE INDEX findings_fixed_at ON findings (cluster, fixed_at, fingerprint);
-- The fleet's worst open findings: read severity by severity, oldest first.
CREATE INDEX findings_open_severity ON findings (severity, first_seen, cluster, fingerprint) WHERE fixed_at IS NULL;

-- Each cluster and its latest audit: the fleet view reads one row per cluster instead of
-- searching the audits for each cluster's latest.
CREATE TABLE clusters (
	name           TEXT PRIMARY KEY,
	latest_audit   INTEGER REFERENCES audits (id) ON DELETE SET NULL,
	latest_started INTEGER NOT NULL
);
INSERT INTO clusters (name, latest_audit, latest_started)
	SELECT '', id, started FROM audits ORDER BY started DESC, id DESC LIMIT 1;
