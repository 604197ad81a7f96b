-- Version 2: each audit's score per checklist section, so that the dashboard's chart of the
-- score over time reads a few numbers per audit instead of decompressing every report.
-- A section score is computed like the report's score over the section's items (the
-- scorecard's); NULL when no item of the section was evaluated. The audits recorded before
-- this version have no rows here: their overall score (audits.score) still charts.
CREATE TABLE audit_sections (
	audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
	section  TEXT NOT NULL,
	score    REAL,
	PRIMARY KEY (audit_id, section)
);
