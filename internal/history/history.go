// Package history keeps the audits of akscheck serve --audit in an embedded SQLite database
// (modernc.org/sqlite: pure Go, no cgo) or in PostgreSQL (pgx): each audit's report as the
// JSON contract, its items' statuses, and the findings across audits by fingerprint, with the
// time each was first and last seen and the audit that no longer reported it (fixed). "New
// since yesterday" and "fixed this week" are queries, not diffs of files.
//
// The report holds no Secret value (the loaders keep a Secret's keys and the shapes of its
// values, never the values), so neither does the database.
package history

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/akscheck/akscheck/internal/render/jsonout"
	"github.com/akscheck/akscheck/internal/report"
)

// BusyTimeout is how long a statement waits for a lock another connection or process holds
// before it fails with "database is locked".
const BusyTimeout = 5 * time.Second

// ErrNoAudit is returned by Latest before the first audit is stored.
var ErrNoAudit = errors.New("no audit stored yet")

// ConnectTimeout bounds the connection to PostgreSQL when the URL gives no connect_timeout:
// an address that never answers must be an error, not a start that hangs.
const ConnectTimeout = 10 * time.Second

// Store is the history database.
type Store struct {
	db *sql.DB
	d  dialect
	// name names the database in errors and logs: the SQLite file, or PostgreSQL's URL
	// without its password.
	name string
	// scrub takes the password out of an error's message (nil: SQLite has none).
	scrub func(error) error
	// cluster is the cluster the Store records and reads (WithCluster; "" when none is
	// named): several clusters' audits may share the database, and every query but the
	// fleet's is scoped to this one.
	cluster string
	// view is set on the Stores ForCluster returns: they share the database of another,
	// which Close leaves open.
	view bool
}

// Option configures the Store Open, OpenURL, OpenReadOnly and OpenURLReadOnly return.
type Option func(*options)

type options struct{ cluster string }

// WithCluster names the cluster the Store records and reads (its ARM resource ID or a
// configured name). A database migrated to schema version 3 by this Store gives the audits
// recorded before it, which carried no cluster, to this one.
func WithCluster(name string) Option { return func(o *options) { o.cluster = name } }

func resolve(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Open opens (creating it if needed) the SQLite database at file and migrates its schema.
func Open(ctx context.Context, file string, opts ...Option) (*Store, error) {
	return open(ctx, file, 0, opts...)
}

// OpenURL opens the PostgreSQL database at url (postgres://user:password@host:port/db?...)
// and migrates its schema. The database must exist. The password never appears in an
// error: they name the database as user@host:port/db.
func OpenURL(ctx context.Context, url string, opts ...Option) (*Store, error) {
	return openURL(ctx, url, 0, opts...)
}

func openURL(ctx context.Context, dsn string, upTo int, opts ...Option) (*Store, error) {
	o := resolve(opts)
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		// The URL is not echoed: it may hold a password in a form this check does not know.
		return nil, errors.New("history database URL: want postgres://user:password@host:port/database")
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, redact(fmt.Errorf("history database URL: %w", err), dsn, nil)
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = ConnectTimeout
	}
	name := safeName(cfg)
	db := stdlib.OpenDB(*cfg)
	s := &Store{db: db, d: postgresDialect(), name: name, cluster: o.cluster}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, redact(fmt.Errorf("history database %s: %w", name, err), dsn, cfg)
	}
	if err := migrate(ctx, db, s.d, name, o.cluster, upTo); err != nil {
		db.Close()
		return nil, redact(err, dsn, cfg)
	}
	s.scrub = func(err error) error { return redact(err, dsn, cfg) }
	return s, nil
}

func open(ctx context.Context, file string, upTo int, opts ...Option) (*Store, error) {
	o := resolve(opts)
	if file == "" {
		return nil, errors.New("history database: no file given")
	}
	if strings.HasPrefix(file, "postgres://") || strings.HasPrefix(file, "postgresql://") {
		// Not echoed: it holds a password. SQLite would take it for a file name.
		return nil, errors.New("history database: a PostgreSQL URL is given with --database-url, not --database")
	}
	// WAL lets the API read while an audit writes; busy_timeout waits for a lock instead of
	// failing at once; immediate transactions take the write lock at BEGIN, so that two
	// writers queue rather than deadlock on a lock upgrade.
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+file+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("history database %s: %w", file, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("history database %s: %w", file, explain(err))
	}
	if err := migrate(ctx, db, sqliteDialect(), file, o.cluster, upTo); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, d: sqliteDialect(), name: file, cluster: o.cluster}, nil
}

// Close closes the database (not when the Store is a view of another's, ForCluster).
func (s *Store) Close() error {
	if s.view {
		return nil
	}
	return s.db.Close()
}

// Cluster is the name of the cluster the Store records and reads ("" when none is named).
func (s *Store) Cluster() string { return s.cluster }

// ForCluster returns a Store that reads (and records) the cluster name in the same
// database: the dashboard's view of another cluster of the fleet. Closing it does nothing;
// it is valid while s is open.
func (s *Store) ForCluster(name string) *Store {
	v := *s
	v.cluster, v.view = name, true
	return &v
}

// File names the database: the SQLite file, or PostgreSQL's user@host:port/db (never the
// password), for logs.
func (s *Store) File() string { return s.name }

// explain adds to SQLite's terse errors what the user can do about them.
func explain(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY"):
		return fmt.Errorf("%w (another process held the database for more than %s: is a second akscheck using the same --database?)", err, BusyTimeout)
	case strings.Contains(msg, "file is not a database") || strings.Contains(msg, "SQLITE_NOTADB"):
		return fmt.Errorf("%w (the file is not an SQLite database: give another --database)", err)
	case strings.Contains(msg, "unable to open database file") || strings.Contains(msg, "SQLITE_CANTOPEN"):
		return fmt.Errorf("%w (its directory must exist and be writable)", err)
	case strings.Contains(msg, "readonly") || strings.Contains(msg, "SQLITE_READONLY"):
		return fmt.Errorf("%w (the file or its directory is read-only)", err)
	}
	return err
}

// Audit is one completed audit.
type Audit struct {
	ID       int64     `json:"id"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Score    *float64  `json:"score,omitempty"`
}

// Finding is a finding across audits.
type Finding struct {
	// Cluster is the finding's cluster, in the fleet's lists only (FleetFindings).
	Cluster     string        `json:"cluster,omitempty"`
	Fingerprint string        `json:"fingerprint"`
	Check       string        `json:"check"`
	Item        string        `json:"item"`
	Severity    string        `json:"severity"`
	Object      report.Object `json:"object"`
	Container   string        `json:"container,omitempty"`
	Message     string        `json:"message"`
	// Occurrences is how many findings share the fingerprint in the audit that last saw it.
	Occurrences int        `json:"occurrences"`
	FirstSeen   time.Time  `json:"firstSeen"`
	LastSeen    time.Time  `json:"lastSeen"`
	FixedAt     *time.Time `json:"fixedAt,omitempty"`
}

// Record stores a completed audit of the Store's cluster: its report, its items, and the
// findings it saw (seen at started) or no longer saw (fixed at started), and makes it the
// cluster's latest audit. A finding the audit did not see stays open, its last-seen time
// kept, when the audit could not have seen it: its item was not evaluated, its object's
// kind could not be listed (rep.Unlisted), or its check did not run for want of a kind
// (the items' Blocked checks). It returns the audit's ID.
func (s *Store) Record(ctx context.Context, started, finished time.Time, rep *report.Report) (int64, error) {
	var buf bytes.Buffer
	if err := jsonout.Render(&buf, rep); err != nil {
		return 0, err
	}
	packed, err := pack(buf.Bytes())
	if err != nil {
		return 0, err
	}
	summary, err := json.Marshal(rep.Summary)
	if err != nil {
		return 0, fmt.Errorf("encoding the summary: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.fail("recording an audit", err)
	}
	defer func() { _ = tx.Rollback() }()
	score := nullable(rep.Summary.Score)
	at := started.UnixNano()
	// RETURNING rather than LastInsertId, which PostgreSQL's driver does not have.
	var id int64
	err = tx.QueryRowContext(ctx, s.d.bind(`INSERT INTO audits (cluster, started, finished, duration_ns, score, findings, items_pass,
		items_fail, items_not_evaluated, items_not_applicable, errors, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`),
		s.cluster, at, finished.UnixNano(), finished.Sub(started).Nanoseconds(), score, len(rep.Findings),
		rep.Summary.Items[report.StatusPass], rep.Summary.Items[report.StatusFail],
		rep.Summary.Items[report.StatusNotEvaluated], rep.Summary.Items[report.StatusNotApplicable],
		len(rep.Errors), string(summary)).Scan(&id)
	if err != nil {
		return 0, s.fail("recording an audit", err)
	}
	if _, err := tx.ExecContext(ctx, s.d.bind(`INSERT INTO audit_reports (audit_id, report) VALUES (?, ?)`), id, packed); err != nil {
		return 0, s.fail("recording an audit's report", err)
	}
	item, err := tx.PrepareContext(ctx, s.d.bind(`INSERT INTO audit_items (audit_id, item, section, status, reason) VALUES (?,?,?,?,?)`))
	if err != nil {
		return 0, s.fail("recording an audit's items", err)
	}
	defer item.Close()
	for _, it := range rep.Items {
		if _, err := item.ExecContext(ctx, id, it.ID, it.Section, it.Status, it.Reason); err != nil {
			return 0, s.fail("recording an audit's items", err)
		}
	}
	sections, err := tx.PrepareContext(ctx, s.d.bind(`INSERT INTO audit_sections (audit_id, section, score) VALUES (?,?,?)`))
	if err != nil {
		return 0, s.fail("recording an audit's section scores", err)
	}
	defer sections.Close()
	for _, sec := range sectionScores(rep) {
		if _, err := sections.ExecContext(ctx, id, sec.ID, nullable(sec.Score)); err != nil {
			return 0, s.fail("recording an audit's section scores", err)
		}
	}
	// The findings, one row per fingerprint, upserted findingsBatch rows a statement: a large
	// cluster's audit sees tens of thousands, and a statement per row is a round trip each
	// (PostgreSQL) or a call through the driver each (SQLite). The upsert sets no indexed
	// column (an index entry rewritten for every row of every audit doubled Record's time on
	// a 30,000-object cluster): the findings fixed before and seen again are reopened after
	// it, and a severity that changed (a policy's) is set then, for those rows alone.
	open, err := s.openSeverities(ctx, tx)
	if err != nil {
		return 0, err
	}
	var changed []any // fingerprint, severity: not open before, or of another severity
	count := map[string]int{}
	for _, f := range rep.Findings {
		count[report.Fingerprint(f)]++
	}
	batch := make([]any, 0, findingsBatch*findingColumns)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		rows := len(batch) / findingColumns
		row := "(" + placeholders(findingColumns) + "),"
		q := `INSERT INTO findings (cluster, fingerprint, check_id, item, severity, kind, namespace, name, container, message,
			occurrences, first_seen, last_seen, last_audit) VALUES ` + strings.TrimSuffix(strings.Repeat(row, rows), ",") + `
			ON CONFLICT (cluster, fingerprint) DO UPDATE SET message = excluded.message,
			occurrences = excluded.occurrences, last_seen = excluded.last_seen, last_audit = excluded.last_audit`
		_, err := tx.ExecContext(ctx, s.d.bind(q), batch...)
		batch = batch[:0]
		return err
	}
	for _, f := range rep.Findings {
		fp := report.Fingerprint(f)
		n := count[fp]
		if n == 0 {
			continue // a later finding of the same fingerprint: the first one is recorded
		}
		count[fp] = 0
		if sev, ok := open[fp]; !ok || sev != f.Severity.String() {
			changed = append(changed, fp, f.Severity.String())
		}
		batch = append(batch, s.cluster, fp, f.Check, f.Item, f.Severity.String(), f.Object.Kind, f.Object.Namespace,
			f.Object.Name, f.Container, f.Message, n, at, at, id)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return 0, s.fail("recording an audit's findings", err)
			}
		}
	}
	if err := flush(); err != nil {
		return 0, s.fail("recording an audit's findings", err)
	}
	if _, err := tx.ExecContext(ctx, s.d.bind(`UPDATE findings SET fixed_at = NULL WHERE cluster = ? AND fixed_at IS NOT NULL
		AND last_audit = ?`), s.cluster, id); err != nil {
		return 0, s.fail("reopening findings seen again", err)
	}
	for len(changed) > 0 {
		n := min(len(changed), 2*findingsBatch)
		// VALUES' columns are column1, column2 in both databases.
		q := `UPDATE findings SET severity = v.column2 FROM (VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?,?),", n/2), ",") + `) AS v
			WHERE findings.cluster = ? AND findings.fingerprint = v.column1 AND findings.severity <> v.column2`
		if _, err := tx.ExecContext(ctx, s.d.bind(q), append(changed[:n:n], s.cluster)...); err != nil {
			return 0, s.fail("recording the findings' severities", err)
		}
		changed = changed[n:]
	}
	// A finding this audit did not see is fixed, unless the audit could not have seen it:
	// then its absence proves nothing (a kind the cache lost, RBAC revoked), and it stays
	// open. That is when its item was not evaluated, and also when the item failed for
	// other reasons but the finding's kind was not listed, or its check was blocked.
	fix := `UPDATE findings SET fixed_at = ? WHERE cluster = ? AND fixed_at IS NULL AND last_audit <> ?
		AND item NOT IN (SELECT item FROM audit_items WHERE audit_id = ? AND status = ?)`
	args := []any{at, s.cluster, id, id, report.StatusNotEvaluated}
	kinds, blocked := unseeable(rep)
	if len(kinds) > 0 {
		fix += ` AND kind NOT IN (` + placeholders(len(kinds)) + `)`
		args = append(args, kinds...)
	}
	if len(blocked) > 0 {
		fix += ` AND check_id NOT IN (` + placeholders(len(blocked)) + `)`
		args = append(args, blocked...)
	}
	if _, err := tx.ExecContext(ctx, s.d.bind(fix), args...); err != nil {
		return 0, s.fail("marking fixed findings", err)
	}
	// The cluster's latest audit, for the fleet: a pending audit written late (the database
	// was away) does not replace a later one.
	if _, err := tx.ExecContext(ctx, s.d.bind(`INSERT INTO clusters (name, latest_audit, latest_started) VALUES (?,?,?)
		ON CONFLICT (name) DO UPDATE SET latest_audit = excluded.latest_audit, latest_started = excluded.latest_started
		WHERE excluded.latest_started >= clusters.latest_started`), s.cluster, id, at); err != nil {
		return 0, s.fail("recording the cluster's latest audit", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, s.fail("recording an audit", err)
	}
	return id, nil
}

// openSeverities returns the severity of each open finding of the Store's cluster, by
// fingerprint.
func (s *Store) openSeverities(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, s.d.bind(`SELECT fingerprint, severity FROM findings WHERE cluster = ? AND fixed_at IS NULL`), s.cluster)
	if err != nil {
		return nil, s.fail("reading the open findings", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var fp, sev string
		if err := rows.Scan(&fp, &sev); err != nil {
			return nil, s.fail("reading the open findings", err)
		}
		out[fp] = sev
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("reading the open findings", err)
	}
	return out, nil
}

// A statement upserts at most findingsBatch findings of findingColumns values: 7,000
// parameters, within SQLite's 32,766 and PostgreSQL's 65,535.
const (
	findingsBatch  = 500
	findingColumns = 14
)

// pack compresses a report: its JSON repeats the same keys and messages, and gzip makes it
// about a tenth (a 37 KiB report of a small cluster is 4 KiB), which is what a month of audits
// every 10 minutes costs on the volume.
func pack(b []byte) ([]byte, error) {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("compressing the report: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compressing the report: %w", err)
	}
	return out.Bytes(), nil
}

func unpack(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decompressing a stored report: %w", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("decompressing a stored report: %w", err)
	}
	return out, nil
}

func (s *Store) fail(what string, err error) error {
	err = fmt.Errorf("history database %s: %s: %w", s.name, what, explain(err))
	if s.scrub != nil {
		return s.scrub(err)
	}
	return err
}

// Prune deletes the Store's cluster's audits started before cutoff (their items and reports with them) and the
// findings fixed before it. Open findings keep their first-seen time however old it is. It
// returns how many audits it deleted.
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.fail("pruning", err)
	}
	defer func() { _ = tx.Rollback() }()
	res, err := tx.ExecContext(ctx, s.d.bind(`DELETE FROM audits WHERE cluster = ? AND started < ?`), s.cluster, cutoff.UnixNano())
	if err != nil {
		return 0, s.fail("pruning audits", err)
	}
	if _, err := tx.ExecContext(ctx, s.d.bind(`DELETE FROM findings WHERE cluster = ? AND fixed_at IS NOT NULL AND fixed_at < ?`),
		s.cluster, cutoff.UnixNano()); err != nil {
		return 0, s.fail("pruning fixed findings", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, s.fail("pruning", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// dayNanos is a UTC day in the unit of the audits' times.
const dayNanos = int64(24 * time.Hour)

// PruneReports thins the stored reports of the audits of the Store's cluster started before
// cutoff to the last audit of each UTC day, and returns how many it deleted. The audits
// themselves, their items, section scores and the findings stay until Prune: the score over
// time and the findings' times are whole, and a report a day is kept to read back what the
// cluster looked like. The reports are nearly all of the database (megabytes an audit for a
// large cluster), the rest a few rows an audit.
func (s *Store) PruneReports(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.d.bind(`DELETE FROM audit_reports
		WHERE audit_id IN (SELECT id FROM audits WHERE cluster = ? AND started < ?)
		AND audit_id NOT IN (SELECT MAX(id) FROM audits WHERE cluster = ? AND started < ? GROUP BY started / ?)`),
		s.cluster, cutoff.UnixNano(), s.cluster, cutoff.UnixNano(), dayNanos)
	if err != nil {
		return 0, s.fail("thinning the reports", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// Checkpoint copies SQLite's write-ahead log into the database file and truncates it, so that
// the volume holds the database once (SQLite's own checkpoint leaves the log at its largest).
// With PostgreSQL it does nothing: the server checkpoints.
func (s *Store) Checkpoint(ctx context.Context) error {
	if s.d.checkpoint == "" {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, s.d.checkpoint); err != nil {
		return s.fail("checkpointing", err)
	}
	return nil
}

// Latest returns the latest audit and its report as the JSON contract, or ErrNoAudit.
func (s *Store) Latest(ctx context.Context) (Audit, []byte, error) {
	var a Audit
	var started, finished int64
	var score sql.NullFloat64
	var body []byte
	err := s.db.QueryRowContext(ctx, s.d.bind(`SELECT a.id, a.started, a.finished, a.score, r.report FROM audits a
		JOIN audit_reports r ON r.audit_id = a.id WHERE a.cluster = ? ORDER BY a.started DESC, a.id DESC LIMIT 1`), s.cluster).
		Scan(&a.ID, &started, &finished, &score, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return Audit{}, nil, ErrNoAudit
	}
	if err != nil {
		return Audit{}, nil, s.fail("reading the latest audit", err)
	}
	if body, err = unpack(body); err != nil {
		return Audit{}, nil, s.fail("reading the latest audit", err)
	}
	a.Started, a.Finished = time.Unix(0, started).UTC(), time.Unix(0, finished).UTC()
	if score.Valid {
		a.Score = &score.Float64
	}
	return a, body, nil
}

// MaxReportsBytes bounds the JSON ReportsSince returns at once: a large cluster's report is
// tens of megabytes, and a hundred of them must not be held in memory together.
const MaxReportsBytes = 64 << 20

// ReportsSince returns the reports of the audits started at or after since, oldest first, at
// most limit of them and, past the first, no more than MaxReportsBytes of JSON. next is the
// start of the first audit left out (zero when none was): ask again from there.
func (s *Store) ReportsSince(ctx context.Context, since time.Time, limit int) (reports [][]byte, next time.Time, err error) {
	rows, err := s.db.QueryContext(ctx, s.d.bind(`SELECT a.started, r.report FROM audits a JOIN audit_reports r ON r.audit_id = a.id
		WHERE a.cluster = ? AND a.started >= ? ORDER BY a.started, a.id LIMIT ?`), s.cluster, since.UnixNano(), limit+1)
	if err != nil {
		return nil, time.Time{}, s.fail("reading reports", err)
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var started int64
		var b []byte
		if err := rows.Scan(&started, &b); err != nil {
			return nil, time.Time{}, s.fail("reading reports", err)
		}
		if len(reports) == limit {
			return reports, time.Unix(0, started).UTC(), nil
		}
		if b, err = unpack(b); err != nil {
			return nil, time.Time{}, s.fail("reading reports", err)
		}
		if len(reports) > 0 && total+len(b) > MaxReportsBytes {
			return reports, time.Unix(0, started).UTC(), nil
		}
		total += len(b)
		reports = append(reports, b)
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, s.fail("reading reports", err)
	}
	return reports, time.Time{}, nil
}

// FindingsNewSince returns the findings first seen at or after since that are still open,
// oldest first, at most limit.
func (s *Store) FindingsNewSince(ctx context.Context, since time.Time, limit int) ([]Finding, error) {
	return s.findings(ctx, `cluster = ? AND first_seen >= ? AND fixed_at IS NULL ORDER BY first_seen, fingerprint`, since, limit)
}

// FindingsFixedSince returns the findings fixed at or after since (and not seen again),
// oldest fix first, at most limit.
func (s *Store) FindingsFixedSince(ctx context.Context, since time.Time, limit int) ([]Finding, error) {
	return s.findings(ctx, `cluster = ? AND fixed_at >= ? ORDER BY fixed_at, fingerprint`, since, limit)
}

func (s *Store) findings(ctx context.Context, where string, since time.Time, limit int) ([]Finding, error) {
	rows, err := s.db.QueryContext(ctx, s.d.bind(`SELECT CAST('' AS TEXT), fingerprint, check_id, item, severity, kind, namespace, name, container,
		message, occurrences, first_seen, last_seen, fixed_at FROM findings WHERE `+where+` LIMIT ?`), s.cluster, since.UnixNano(), limit)
	if err != nil {
		return nil, s.fail("reading findings", err)
	}
	return s.scanFindings(rows)
}

// scanFindings reads the rows of a findings query (cluster, fingerprint, ... fixed_at) and
// closes them.
func (s *Store) scanFindings(rows *sql.Rows) ([]Finding, error) {
	defer rows.Close()
	out := []Finding{}
	for rows.Next() {
		var f Finding
		var first, last int64
		var fixed sql.NullInt64
		if err := rows.Scan(&f.Cluster, &f.Fingerprint, &f.Check, &f.Item, &f.Severity, &f.Object.Kind, &f.Object.Namespace,
			&f.Object.Name, &f.Container, &f.Message, &f.Occurrences, &first, &last, &fixed); err != nil {
			return nil, s.fail("reading findings", err)
		}
		f.FirstSeen, f.LastSeen = time.Unix(0, first).UTC(), time.Unix(0, last).UTC()
		if fixed.Valid {
			t := time.Unix(0, fixed.Int64).UTC()
			f.FixedAt = &t
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("reading findings", err)
	}
	return out, nil
}

// SectionScore is the score of one checklist section in one audit.
type SectionScore struct {
	ID    string   `json:"id"`
	Score *float64 `json:"score,omitempty"`
}

// sectionScores scores each section of the report over its items, as the scorecard does
// (report.Score with the report's worst finding per item), in the order the items come.
func sectionScores(rep *report.Report) []SectionScore {
	worst := rep.WorstByItem()
	var order []string
	items := map[string][]report.Item{}
	for _, it := range rep.Items {
		if _, ok := items[it.Section]; !ok {
			order = append(order, it.Section)
		}
		items[it.Section] = append(items[it.Section], it)
	}
	out := make([]SectionScore, 0, len(order))
	for _, id := range order {
		out = append(out, SectionScore{ID: id, Score: report.Score(items[id], worst)})
	}
	return out
}

func nullable(f *float64) sql.NullFloat64 {
	if f == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *f, Valid: true}
}

// Point is one audit of the score history: its overall score and its sections' scores
// (none for the audits recorded before schema version 2), in section name order.
type Point struct {
	Audit    int64          `json:"audit"`
	Started  time.Time      `json:"started"`
	Score    *float64       `json:"score,omitempty"`
	Sections []SectionScore `json:"sections,omitempty"`
}

// History returns the scores of the cluster's latest audits started at or after since, at most limit
// audits (the latest ones), oldest first. It reads the audits' and sections' rows only,
// never a report.
func (s *Store) History(ctx context.Context, since time.Time, limit int) ([]Point, error) {
	// Sections in name order (both databases have it; the dashboard orders them by catalog).
	rows, err := s.db.QueryContext(ctx, s.d.bind(`SELECT a.id, a.started, a.score, s.section, s.score
		FROM (SELECT id, started, score FROM audits WHERE cluster = ? AND started >= ? ORDER BY started DESC, id DESC LIMIT ?) a
		LEFT JOIN audit_sections s ON s.audit_id = a.id ORDER BY a.started, a.id, s.section`), s.cluster, since.UnixNano(), limit)
	if err != nil {
		return nil, s.fail("reading the score history", err)
	}
	defer rows.Close()
	out := []Point{}
	for rows.Next() {
		var id, started int64
		var score, secScore sql.NullFloat64
		var section sql.NullString
		if err := rows.Scan(&id, &started, &score, &section, &secScore); err != nil {
			return nil, s.fail("reading the score history", err)
		}
		if len(out) == 0 || out[len(out)-1].Audit != id {
			out = append(out, Point{Audit: id, Started: time.Unix(0, started).UTC(), Score: ptr(score)})
		}
		if section.Valid {
			p := &out[len(out)-1]
			p.Sections = append(p.Sections, SectionScore{ID: section.String, Score: ptr(secScore)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("reading the score history", err)
	}
	return out, nil
}

func ptr(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	v := f.Float64
	return &v
}

// SectionScores scores each section of rep as Record stores them, in section name order (as
// History returns them): for a client that has the reports rather than the database.
func SectionScores(rep *report.Report) []SectionScore {
	out := sectionScores(rep)
	slices.SortFunc(out, func(a, b SectionScore) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// unseeable returns what an audit could not have seen, besides its items that were not
// evaluated: the kinds it could not list (a finding on an object of such a kind may be there
// still) and the checks that did not run for want of a kind (Item.Blocked), sorted.
func unseeable(rep *report.Report) (kinds, checks []any) {
	for _, k := range slices.Sorted(maps.Keys(rep.Unlisted)) {
		kinds = append(kinds, k)
	}
	var blocked []string
	for _, it := range rep.Items {
		blocked = append(blocked, it.Blocked...)
	}
	slices.Sort(blocked)
	for _, c := range slices.Compact(blocked) {
		checks = append(checks, c)
	}
	return kinds, checks
}

// placeholders returns n comma-separated placeholders.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
