-- Version 1 (SQLite): audits, their items and reports, and the findings across audits.
-- Times are Unix nanoseconds (UTC): they compare as integers.
CREATE TABLE audits (
	id                   INTEGER PRIMARY KEY,
	started              INTEGER NOT NULL,
	finished             INTEGER NOT NULL,
	duration_ns          INTEGER NOT NULL,
	score                REAL,
	findings             INTEGER NOT NULL,
	items_pass           INTEGER NOT NULL,
	items_fail           INTEGER NOT NULL,
	items_not_evaluated  INTEGER NOT NULL,
	items_not_applicable INTEGER NOT NULL,
	errors               INTEGER NOT NULL,
	summary              TEXT NOT NULL
);
CREATE INDEX audits_started ON audits (started);

CREATE TABLE audit_items (
	audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
	item     TEXT NOT NULL,
	section  TEXT NOT NULL,
	status   TEXT NOT NULL,
	reason   TEXT NOT NULL,
	PRIMARY KEY (audit_id, item)
) WITHOUT ROWID;

-- The report of each audit as the JSON contract (docs/report.schema.json), byte for byte,
-- gzip-compressed.
CREATE TABLE audit_reports (
	audit_id INTEGER PRIMARY KEY REFERENCES audits (id) ON DELETE CASCADE,
	report   BLOB NOT NULL
);

-- One row per finding fingerprint (internal/report/fingerprint.go). first_seen survives the
-- retention of audits; fixed_at is set by the first audit that no longer reports it.
CREATE TABLE findings (
	fingerprint TEXT PRIMARY KEY,
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
	fixed_at    INTEGER
);
CREATE INDEX findings_first_seen ON findings (first_seen);
CREATE INDEX findings_fixed_at ON findings (fixed_at);
CREATE INDEX findings_open ON findings (last_audit) WHERE fixed_at IS NULL;
