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
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/render/jsonout"
	"github.com/akscheck/akscheck/internal/render/scorecard"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil"
	"github.com/akscheck/akscheck/internal/testutil/scantest"
)

// target is a database the Store's tests run against: SQLite always, PostgreSQL with the
// build tag integration (postgres_test.go).
type target struct {
	name string
	// fresh returns where a new, empty database is: a file, or a URL.
	fresh func(tb testing.TB) string
	open  func(ctx context.Context, where string, upTo int, opts ...Option) (*Store, error)
	// tables lists the database's tables.
	tables string
}

func sqliteTarget() target {
	return target{name: "sqlite", open: open,
		fresh:  func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "history.db") },
		tables: `SELECT name FROM sqlite_master WHERE type = 'table'`}
}

func targets() []target { return append([]target{sqliteTarget()}, postgresTargets()...) }

// eachTarget runs test against every target, in parallel.
func eachTarget(t *testing.T, test func(t *testing.T, tg target)) {
	t.Helper()
	t.Parallel()
	for _, tg := range targets() {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			test(t, tg)
		})
	}
}

// openTemp opens a new, empty database of the target, closed when the test ends.
func (tg target) openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	where := tg.fresh(t)
	s, err := tg.open(t.Context(), where, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, where
}

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	return sqliteTarget().openTemp(t)
}

func finding(ns, name string) report.Finding {
	return report.Finding{Check: "privileged", Item: "workload.security-context", Severity: check.High, Message: "bad",
		Object: report.Object{APIVersion: "apps/v1", Kind: "Deployment", Namespace: ns, Name: name}}
}

func rep(findings ...report.Finding) *report.Report {
	r := &report.Report{SchemaVersion: "1", Tool: report.Tool{Name: "akscheck", Version: "test"},
		Inputs: []report.Input{{Kind: "cluster", Source: "test", Objects: 3}}, Findings: findings,
		Items: []report.Item{{ID: "workload.security-context", Section: "workload", Title: "t", Status: report.StatusFail,
			Checks: []string{"privileged"}, Findings: len(findings)}}}
	r.Summarize()
	return r
}

// TestMigrationsSameVersions: every dialect has the migrations of every version, without
// gaps, and the same names.
func TestMigrationsSameVersions(t *testing.T) {
	t.Parallel()
	var want []string
	for _, d := range []dialect{sqliteDialect(), postgresDialect()} {
		ms, err := d.migrations()
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 || SchemaVersion() != len(ms) {
			t.Fatalf("%s: %d migrations, schema version %d", d.name, len(ms), SchemaVersion())
		}
		var names []string
		for _, m := range ms {
			names = append(names, strings.TrimPrefix(m.name, d.name+"/"))
		}
		if want == nil {
			want = names
		} else if fmt.Sprint(names) != fmt.Sprint(want) {
			t.Errorf("%s has migrations %v, sqlite %v", d.name, names, want)
		}
	}
}

func TestBind(t *testing.T) {
	t.Parallel()
	q := `INSERT INTO t (a, b) VALUES (?, ?) RETURNING id`
	if got := sqliteDialect().bind(q); got != q {
		t.Errorf("sqlite: %s", got)
	}
	if got, want := postgresDialect().bind(q), `INSERT INTO t (a, b) VALUES ($1, $2) RETURNING id`; got != want {
		t.Errorf("postgres: %s, want %s", got, want)
	}
}

// TestMigrateFromEveryVersion opens a database left at every older version (0: empty) and
// checks that Open brings it to the latest, with the tables of the latest.
func TestMigrateFromEveryVersion(t *testing.T) {
	eachTarget(t, func(t *testing.T, tg target) {
		for from := 0; from < SchemaVersion(); from++ {
			migrateFrom(t, tg, from)
		}
	})
}

func migrateFrom(t *testing.T, tg target, from int) {
	t.Helper()
	file := tg.fresh(t)
	if from > 0 {
		s, err := tg.open(t.Context(), file, from)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	s, err := tg.open(t.Context(), file, 0)
	if err != nil {
		t.Fatalf("from version %d: %v", from, err)
	}
	defer s.Close()
	if v, err := version(t.Context(), s.db); err != nil || v != SchemaVersion() {
		t.Fatalf("from version %d: at version %d (%v), want %d", from, v, err, SchemaVersion())
	}
	if _, err := s.Record(t.Context(), time.Now(), time.Now(), rep(finding("a", "x"))); err != nil {
		t.Fatalf("from version %d: %v", from, err)
	}
}

func TestReopenIsNoop(t *testing.T) {
	eachTarget(t, testReopenIsNoop)
}

func testReopenIsNoop(t *testing.T, tg target) {
	s, file := tg.openTemp(t)
	if _, err := s.Record(t.Context(), time.Now(), time.Now(), rep()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := tg.open(t.Context(), file, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var rows int
	if err := s2.db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM schema_version`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("schema_version has %d rows (%v), want 1", rows, err)
	}
	if _, _, err := s2.Latest(t.Context()); err != nil {
		t.Fatalf("the audit stored before reopening is gone: %v", err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	eachTarget(t, func(t *testing.T, tg target) {
		s, file := tg.openTemp(t)
		if _, err := s.db.ExecContext(t.Context(), s.d.bind(`INSERT INTO schema_version (version) VALUES (?)`), SchemaVersion()+1); err != nil {
			t.Fatal(err)
		}
		name, flag := s.File(), s.d.flag
		s.Close()
		_, err := tg.open(t.Context(), file, 0)
		if err == nil || !strings.Contains(err.Error(), "newer than this akscheck knows") || !strings.Contains(err.Error(), name) ||
			!strings.Contains(err.Error(), "another "+flag) {
			t.Fatalf("a database of a newer schema: got %v", err)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notDB := filepath.Join(dir, "not.db")
	if err := os.WriteFile(notDB, bytes.Repeat([]byte("this is no database "), 300), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ file, want string }{
		"missing directory": {filepath.Join(dir, "nope", "h.db"), "directory must exist"},
		"not a database":    {notDB, "not an SQLite database"},
		"no file":           {"", "no file given"},
		"a URL":             {"postgres://u:Secr3t@db:5432/h", "--database-url"},
	} {
		_, err := Open(t.Context(), tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error with %q", name, err, tc.want)
		}
	}
}

// TestOpenURLErrors: a URL that is not PostgreSQL's, one that does not parse, a port nobody
// listens on and one that never answers give clear errors, in time, naming host:port and
// never the password (raw or escaped).
func TestOpenURLErrors(t *testing.T) {
	t.Parallel()
	const password, escaped = "Sekr3t/pw:x", "Sekr3t%2Fpw%3Ax"
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()
	// A listener that accepts and never answers: without a connect timeout, Open would hang.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() }) // after the parallel subtests
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	silentAddr := silent.Addr().String()
	for name, tc := range map[string]struct{ url, want string }{
		"not postgres":          {"mysql://akscheck:" + escaped + "@db:3306/h", "want postgres://"},
		"does not parse":        {"postgres://akscheck:" + escaped + "@db:notaport/h", "history database URL"},
		"dead port":             {"postgres://akscheck:" + escaped + "@" + deadAddr + "/h?sslmode=disable", deadAddr},
		"never answers":         {"postgresql://akscheck:" + escaped + "@" + silentAddr + "/h?sslmode=disable&connect_timeout=1", silentAddr},
		"password in the query": {"postgres://akscheck@" + deadAddr + "/h?sslmode=disable&password=" + escaped, deadAddr},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			s, err := OpenURL(t.Context(), tc.url)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("got %q, want it to name %q", msg, tc.want)
			}
			for _, secret := range []string{password, escaped, "Sekr3t"} {
				if strings.Contains(msg, secret) || strings.Contains(fmt.Sprintf("%+v", err), secret) {
					t.Errorf("the error holds the password: %s", msg)
				}
				for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
					if strings.Contains(e.Error(), secret) {
						t.Errorf("an error in the chain holds the password: %s", e)
					}
				}
			}
			t.Logf("%s (%s)", msg, time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestLocked holds the write lock from another connection for longer than the busy timeout:
// Record must fail with a clear error, not hang or panic.
func TestLocked(t *testing.T) {
	t.Parallel()
	s, file := openTemp(t)
	other, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), `ROLLBACK`) //nolint:errcheck // cleanup
	start := time.Now()
	_, err = s.Record(t.Context(), time.Now(), time.Now(), rep())
	if err == nil || !strings.Contains(err.Error(), "locked") || !strings.Contains(err.Error(), "second akscheck") {
		t.Fatalf("recording into a locked database: got %v", err)
	}
	if d := time.Since(start); d < BusyTimeout/2 {
		t.Errorf("gave up after %s; busy_timeout is %s", d, BusyTimeout)
	}
}

func TestFirstSeenLastSeenFixed(t *testing.T) {
	eachTarget(t, testFirstSeenLastSeenFixed)
}

func testFirstSeenLastSeenFixed(t *testing.T, tg target) {
	s, _ := tg.openTemp(t)
	ctx := t.Context()
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	a, b := finding("shop", "web"), finding("shop", "api")
	record := func(at time.Time, fs ...report.Finding) {
		t.Helper()
		if _, err := s.Record(ctx, at, at.Add(time.Second), rep(fs...)); err != nil {
			t.Fatal(err)
		}
	}
	record(t0, a)
	record(t0.Add(time.Hour), a, b, b)
	record(t0.Add(2*time.Hour), b)

	fresh, err := s.FindingsNewSince(ctx, t0.Add(30*time.Minute), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(fresh) != 1 || fresh[0].Object.Name != "api" || !fresh[0].FirstSeen.Equal(t0.Add(time.Hour)) ||
		!fresh[0].LastSeen.Equal(t0.Add(2*time.Hour)) || fresh[0].Occurrences != 1 {
		t.Fatalf("new since t0+30m: %+v", fresh)
	}
	fixed, err := s.FindingsFixedSince(ctx, t0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(fixed) != 1 || fixed[0].Object.Name != "web" || !fixed[0].FirstSeen.Equal(t0) ||
		!fixed[0].LastSeen.Equal(t0.Add(time.Hour)) || fixed[0].FixedAt == nil || !fixed[0].FixedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("fixed since t0: %+v", fixed)
	}
	// It comes back: open again, first seen kept.
	record(t0.Add(3*time.Hour), a, b)
	if fixed, _ := s.FindingsFixedSince(ctx, t0, 100); len(fixed) != 0 {
		t.Fatalf("a finding seen again is still fixed: %+v", fixed)
	}
	open, _ := s.FindingsNewSince(ctx, t0, 100)
	if len(open) != 2 || !open[0].FirstSeen.Equal(t0) {
		t.Fatalf("open findings: %+v", open)
	}

	reports, next, err := s.ReportsSince(ctx, t0.Add(time.Hour), 1)
	if err != nil || len(reports) != 1 || !next.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("reports since t0+1h, limit 1: %d, next %s (%v)", len(reports), next, err)
	}
	if rest, next, err := s.ReportsSince(ctx, next, 100); err != nil || len(rest) != 2 || !next.IsZero() {
		t.Fatalf("the rest: %d, next %s (%v)", len(rest), next, err)
	}
	var r report.Report
	if err := json.Unmarshal(reports[0], &r); err != nil || len(r.Findings) != 3 {
		t.Fatalf("the report of t0+1h: %d findings (%v)", len(r.Findings), err)
	}

	// Retention: the audits before t0+2h go, the open findings keep their first-seen time.
	n, err := s.Prune(ctx, t0.Add(2*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("pruned %d audits (%v), want 2", n, err)
	}
	open, _ = s.FindingsNewSince(ctx, time.Time{}, 100)
	if len(open) != 2 || !open[0].FirstSeen.Equal(t0) {
		t.Fatalf("after pruning, open findings: %+v", open)
	}
	if all, _, _ := s.ReportsSince(ctx, time.Time{}, 100); len(all) != 2 {
		t.Fatalf("after pruning, %d reports, want 2", len(all))
	}
	var items int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_items`).Scan(&items); err != nil || items != 2 {
		t.Fatalf("after pruning, %d item rows (%v), want 2: the cascade did not delete them", items, err)
	}
}

// TestLatestIsTheContract: the stored report is the JSON renderer's output, byte for byte,
// and valid against docs/report.schema.json.
func TestLatestIsTheContract(t *testing.T) {
	eachTarget(t, testLatestIsTheContract)
}

func testLatestIsTheContract(t *testing.T, tg target) {
	s, _ := tg.openTemp(t)
	if _, _, err := s.Latest(t.Context()); !errors.Is(err, ErrNoAudit) {
		t.Fatalf("an empty database: %v, want ErrNoAudit", err)
	}
	r, _ := scantest.Run(t, engine.Options{}, "../../examples/k8s")
	if _, err := s.Record(t.Context(), testutil.Now(), testutil.Now().Add(time.Second), r); err != nil {
		t.Fatal(err)
	}
	_, got, err := s.Latest(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := jsonout.Render(&want, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatal("the stored report differs from the JSON renderer's")
	}
	var doc any
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	if err := testutil.CompileSchema(t, "../../docs/report.schema.json").Validate(doc); err != nil {
		t.Fatalf("the stored report is not the contract: %v", err)
	}
}

// TestNoSecretValue stores the scan of a Secret and looks for its values in every column of
// every table (the reports decompressed), in every file of an SQLite database (the WAL
// included), and in the reports and findings read back.
func TestNoSecretValue(t *testing.T) {
	eachTarget(t, testNoSecretValue)
}

func testNoSecretValue(t *testing.T, tg target) {
	const value = "hunter2-d0-not-st0re-me-Zq8x"
	const encoded = "aHVudGVyMi1kMC1ub3Qtc3QwcmUtbWUtWnE4eA==" // base64 of value
	dir := t.TempDir()
	manifest := `apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
type: Opaque
stringData:
  password: ` + value + `
data:
  token: ` + encoded + `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        env:
        - {name: DB_PASSWORD, value: ` + value + `}
`
	if err := os.WriteFile(filepath.Join(dir, "secret.yaml"), []byte(manifest), 0o600); err != nil {
		t.Fatal(err)
	}
	r, _ := scantest.Run(t, engine.Options{}, dir)
	if len(r.Findings) == 0 {
		t.Fatal("the fixture gave no finding: the test would prove nothing")
	}
	file := tg.fresh(t)
	s, err := tg.open(t.Context(), file, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Record(t.Context(), time.Now(), time.Now(), r); err != nil {
		t.Fatal(err)
	}
	cells := everyCell(t, s.db, tg.tables)
	if len(cells) < 10 {
		t.Fatalf("read %d cells: the test would prove nothing", len(cells))
	}
	for _, c := range cells {
		for _, v := range []string{value, encoded} {
			if bytes.Contains(c.value, []byte(v)) {
				t.Errorf("%s holds a Secret value", c.where)
			}
		}
	}
	var files []string
	if tg.name == "sqlite" {
		files, _ = filepath.Glob(file + "*")
	}
	check := func(when string) {
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			for _, v := range []string{value, encoded} {
				if bytes.Contains(b, []byte(v)) {
					t.Errorf("%s: %s holds a Secret value", when, f)
				}
			}
		}
	}
	check("before close")
	// The reports are compressed in the file: read them back too.
	_, body, err := s.Latest(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	fs, err := s.FindingsNewSince(t.Context(), time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := json.Marshal(fs)
	for _, v := range []string{value, encoded} {
		if bytes.Contains(body, []byte(v)) || bytes.Contains(stored, []byte(v)) {
			t.Error("the stored report or findings hold a Secret value")
		}
	}
	s.Close()
	check("after close")
}

type cell struct {
	where string
	value []byte
}

// everyCell reads every column of every row of every table (tables lists them), and a
// gzip'd value decompressed as well.
func everyCell(t *testing.T, db *sql.DB, tables string) []cell {
	t.Helper()
	ctx := t.Context()
	rows, err := db.QueryContext(ctx, tables)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	var out []cell
	for _, table := range names {
		rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				where := table + "." + cols[i]
				out = append(out, cell{where, bytes.Clone(v)})
				if zr, err := gzip.NewReader(bytes.NewReader(v)); err == nil {
					if plain, err := io.ReadAll(zr); err == nil {
						out = append(out, cell{where + " (decompressed)", plain})
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

// BenchmarkRecord records the examples' report (scanned once) into each database; with the
// build tag integration, PostgreSQL too.
func BenchmarkRecord(b *testing.B) {
	r, _ := scantest.Run(b, engine.Options{}, "../../examples/k8s")
	for _, tg := range targets() {
		b.Run(tg.name, func(b *testing.B) {
			where := tg.fresh(b)
			s, err := tg.open(b.Context(), where, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
			for b.Loop() {
				at = at.Add(10 * time.Minute)
				if _, err := s.Record(b.Context(), at, at.Add(time.Second), r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(r.Findings)), "findings")
		})
	}
}

// TestSizePerAudit records audits of the examples' estate and logs the database's size per
// audit (a figure for the record; it fails only past 64 KiB an audit).
func TestSizePerAudit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("records 200 audits")
	}
	s, file := openTemp(t)
	r, _ := scantest.Run(t, engine.Options{}, "../../examples/k8s")
	var raw bytes.Buffer
	if err := jsonout.Render(&raw, r); err != nil {
		t.Fatal(err)
	}
	const n = 200
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	for range n {
		at = at.Add(10 * time.Minute)
		if _, err := s.Record(t.Context(), at, at.Add(time.Second), r); err != nil {
			t.Fatal(err)
		}
		if err := s.Checkpoint(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	took := time.Since(start)
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	per := fi.Size() / n
	t.Logf("%d audits of a report of %d findings and %d items (%d KiB as JSON): %d KiB, %.1f KiB an audit; %s an audit recorded",
		n, len(r.Findings), len(r.Items), raw.Len()/1024, fi.Size()/1024, float64(per)/1024, took/n)
	if per > 64<<10 {
		t.Errorf("%d bytes an audit", per)
	}
}

// TestNotEvaluatedIsNotFixed: a finding absent from an audit in which its item was not
// evaluated stays open; the next audit that evaluates the item without it fixes it.
func TestNotEvaluatedIsNotFixed(t *testing.T) {
	eachTarget(t, testNotEvaluatedIsNotFixed)
}

func testNotEvaluatedIsNotFixed(t *testing.T, tg target) {
	s, _ := tg.openTemp(t)
	ctx := t.Context()
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.Record(ctx, t0, t0, rep(finding("shop", "web"))); err != nil {
		t.Fatal(err)
	}
	blind := rep()
	blind.Items[0].Status = report.StatusNotEvaluated
	if _, err := s.Record(ctx, t0.Add(time.Hour), t0.Add(time.Hour), blind); err != nil {
		t.Fatal(err)
	}
	if fixed, _ := s.FindingsFixedSince(ctx, t0, 100); len(fixed) != 0 {
		t.Fatalf("fixed by an audit that could not evaluate its item: %+v", fixed)
	}
	passed := rep()
	passed.Items[0].Status = report.StatusPass
	if _, err := s.Record(ctx, t0.Add(2*time.Hour), t0.Add(2*time.Hour), passed); err != nil {
		t.Fatal(err)
	}
	if fixed, _ := s.FindingsFixedSince(ctx, t0, 100); len(fixed) != 1 || !fixed[0].FixedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("after an audit that passed the item: %+v", fixed)
	}
}

// TestSectionScoresFromVersion1 upgrades a database holding an audit of schema version 1:
// the old audit keeps its overall score in the history (with no section scores), and the
// audits recorded after the upgrade have their sections' scores, the scorecard's.
func TestSectionScoresFromVersion1(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	file := filepath.Join(t.TempDir(), "history.db")
	old, err := open(ctx, file, 1)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if _, err := old.db.ExecContext(ctx, `INSERT INTO audits (started, finished, duration_ns, score, findings, items_pass,
		items_fail, items_not_evaluated, items_not_applicable, errors, summary) VALUES (?,?,0,42.5,1,0,1,0,0,0,'{}')`,
		t0.UnixNano(), t0.UnixNano()); err != nil {
		t.Fatal(err)
	}
	old.Close()

	s, err := Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := version(ctx, s.db); err != nil || v != SchemaVersion() {
		t.Fatalf("at version %d (%v), want %d", v, err, SchemaVersion())
	}
	r := rep(finding("shop", "web"))
	r.Items = append(r.Items, report.Item{ID: "network.policies", Section: "network", Title: "n", Status: report.StatusPass})
	r.Summarize()
	if _, err := s.Record(ctx, t0.Add(time.Hour), t0.Add(time.Hour), r); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Score == nil || *h[0].Score != 42.5 || len(h[0].Sections) != 0 || !h[0].Started.Equal(t0) {
		t.Fatalf("the version-1 audit in the history: %+v", h)
	}
	// Sections come in name order on both databases (the dashboard orders them by catalog).
	got := h[1].Sections
	if len(got) != 2 || got[0].ID != "network" || got[1].ID != "workload" || got[1].Score == nil || *got[1].Score != 25 ||
		got[0].Score == nil || *got[0].Score != 100 {
		t.Fatalf("section scores %+v, want workload 25 (one high finding) and network 100", got)
	}
	// The limit keeps the latest audits; since the ones started from then.
	if h, err := s.History(ctx, time.Time{}, 1); err != nil || len(h) != 1 || h[0].Audit != 2 {
		t.Fatalf("limit 1: %+v (%v)", h, err)
	}
	if h, err := s.History(ctx, t0.Add(time.Minute), 100); err != nil || len(h) != 1 || h[0].Audit != 2 {
		t.Fatalf("since t0+1m: %+v (%v)", h, err)
	}
	// Pruning deletes the audit's section scores with it.
	if _, err := s.Prune(ctx, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_sections`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d section rows left after pruning every audit (%v)", n, err)
	}
}

// TestSectionScoresAreTheScorecards records the examples' report and checks that each
// section's stored score is the one the scorecard (every human format) shows.
func TestSectionScoresAreTheScorecards(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
	r, cat := scantest.Run(t, engine.Options{}, "../../examples/k8s")
	if _, err := s.Record(t.Context(), time.Now(), time.Now(), r); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(t.Context(), time.Time{}, 10)
	if err != nil || len(h) != 1 {
		t.Fatalf("history %+v (%v)", h, err)
	}
	got := map[string]*float64{}
	for _, sec := range h[0].Sections {
		got[sec.ID] = sec.Score
	}
	card := scorecard.Build(r, cat)
	if len(got) != len(card.Sections) {
		t.Fatalf("%d sections stored, the scorecard has %d", len(got), len(card.Sections))
	}
	for _, sec := range card.Sections {
		g, ok := got[sec.ID]
		if !ok || (g == nil) != (sec.Score == nil) || (g != nil && *g != *sec.Score) {
			t.Errorf("section %s: stored %v, the scorecard's %v", sec.ID, g, sec.Score)
		}
	}
}

// TestPruneReports: past the cutoff, one report a UTC day is kept (the day's last audit's);
// every audit stays in the score over time, and another cluster's reports are untouched.
func TestPruneReports(t *testing.T) {
	eachTarget(t, testPruneReports)
}

func testPruneReports(t *testing.T, tg target) {
	s, _ := tg.openTemp(t)
	other := s.ForCluster("other")
	ctx := t.Context()
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	// Four audits a day for three days, in both clusters.
	for d := range 3 {
		for h := range 4 {
			at := day.Add(time.Duration(d)*24*time.Hour + time.Duration(6*h)*time.Hour)
			for _, st := range []*Store{s, other} {
				if _, err := st.Record(ctx, at, at.Add(time.Second), rep(finding("shop", "web"))); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// Thin the first two days: 3 of 4 reports each go.
	n, err := s.PruneReports(ctx, day.Add(48*time.Hour))
	if err != nil || n != 6 {
		t.Fatalf("thinned %d reports (%v), want 6", n, err)
	}
	kept := 0
	for since := (time.Time{}); ; {
		reports, next, err := s.ReportsSince(ctx, since, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range reports {
			var r report.Report
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatal(err)
			}
		}
		kept += len(reports)
		if next.IsZero() {
			break
		}
		since = next
	}
	if kept != 2+4 {
		t.Errorf("%d reports kept, want the last of each of the two thinned days and the 4 of the third", kept)
	}
	points, err := s.History(ctx, time.Time{}, 100)
	if err != nil || len(points) != 12 {
		t.Errorf("%d audits in the score over time (%v), want all 12", len(points), err)
	}
	if _, body, err := s.Latest(ctx); err != nil || len(body) == 0 {
		t.Errorf("the latest report after thinning: %v", err)
	}
	if all, _, err := other.ReportsSince(ctx, time.Time{}, 100); err != nil || len(all) != 12 {
		t.Errorf("the other cluster's reports: %d (%v), want 12 untouched", len(all), err)
	}
	// Again: nothing more to thin.
	if n, err := s.PruneReports(ctx, day.Add(48*time.Hour)); err != nil || n != 0 {
		t.Errorf("thinning again deleted %d (%v)", n, err)
	}
}
