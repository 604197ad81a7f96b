package history

import (
	"bufio"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/report"
)

// crashChildEnv names the database file the re-executed test binary records audits into
// until it is killed (TestKillMidWrite).
const crashChildEnv = "AKSCHECK_HISTORY_CRASH_CHILD"

// crashReport is audit n of the crash test: 200 findings, half of them new at each audit (so
// that every Record inserts, updates and fixes findings), and 40 items.
func crashReport(n int) *report.Report {
	var fs []report.Finding
	for i := range 200 {
		fs = append(fs, finding("ns", fmt.Sprintf("web-%d", n*100+i)))
	}
	r := rep(fs...)
	for i := range 39 {
		r.Items = append(r.Items, report.Item{ID: fmt.Sprintf("workload.item-%d", i), Section: "workload", Title: "t",
			Status: report.StatusPass})
	}
	r.Summarize()
	return r
}

// TestKillMidWrite: a process killed (SIGKILL, no chance to clean up) while it records
// audits leaves a database that passes PRAGMA integrity_check, has the current schema, and
// holds every audit it has whole (each Record is one transaction) or not at all.
func TestKillMidWrite(t *testing.T) {
	if file := os.Getenv(crashChildEnv); file != "" {
		crashChild(t, file)
		return
	}
	t.Parallel()
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	file := filepath.Join(t.TempDir(), "history.db")
	for round := range 3 {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestKillMidWrite$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+file)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it after a few audits, at a time that varies between rounds so that it
		// lands inside a Record (which is most of the child's time) at various points.
		lines := bufio.NewScanner(out)
		recorded := 0
		for recorded < 3+round && lines.Scan() {
			if strings.HasPrefix(lines.Text(), "recorded ") {
				recorded++
			}
		}
		time.Sleep(time.Duration(1+3*round) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if recorded < 3+round {
			t.Fatalf("round %d: the child recorded %d audits before it ended", round, recorded)
		}
		checkConsistent(t, file)
	}
	// And the store opens and records after the crashes.
	s, err := Open(t.Context(), file)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Record(t.Context(), time.Now(), time.Now(), crashReport(1000)); err != nil {
		t.Fatal(err)
	}
}

// crashChild records audits into file until it is killed.
func crashChild(t *testing.T, file string) {
	s, err := Open(t.Context(), file)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; ; n++ {
		at := time.Now()
		if _, err := s.Record(t.Context(), at, at.Add(time.Millisecond), crashReport(n)); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("recorded %d\n", n)
	}
}

// checkConsistent opens file as it is (no migration, no recovery beyond SQLite's own) and
// checks it.
func checkConsistent(t *testing.T, file string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := t.Context()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q (%v)", check, err)
	}
	if v, err := version(ctx, db); err != nil || v != SchemaVersion() {
		t.Fatalf("schema version %d (%v), want %d", v, err, SchemaVersion())
	}
	rows, err := db.QueryContext(ctx, `SELECT a.id, a.findings, a.items_pass + a.items_fail + a.items_not_evaluated + a.items_not_applicable,
		(SELECT COUNT(*) FROM audit_reports r WHERE r.audit_id = a.id),
		(SELECT COUNT(*) FROM audit_items i WHERE i.audit_id = a.id),
		(SELECT COUNT(*) FROM audit_sections s WHERE s.audit_id = a.id),
		(SELECT COUNT(*) FROM findings f WHERE f.last_audit = a.id)
		FROM audits a ORDER BY a.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var audits int
	var last, lastFindings, lastSeen int64
	for rows.Next() {
		var id, findings, items, reports, itemRows, sections, seen int64
		if err := rows.Scan(&id, &findings, &items, &reports, &itemRows, &sections, &seen); err != nil {
			t.Fatal(err)
		}
		if reports != 1 || itemRows != items || items != 40 || sections == 0 {
			t.Errorf("audit %d is not whole: %d reports, %d of %d items, %d section scores", id, reports, itemRows, items, sections)
		}
		audits++
		last, lastFindings, lastSeen = id, findings, seen
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// The latest audit's findings are all there (earlier audits' findings are seen again or
	// fixed by the later ones).
	if audits == 0 || lastSeen != lastFindings {
		t.Fatalf("%d audits; the latest (%d) has %d of its %d findings", audits, last, lastSeen, lastFindings)
	}
	var body []byte
	if err := db.QueryRowContext(ctx, `SELECT report FROM audit_reports WHERE audit_id = ?`, last).Scan(&body); err != nil {
		t.Fatal(err)
	}
	if _, err := unpack(body); err != nil {
		t.Fatalf("the latest audit's report: %v", err)
	}
	t.Logf("%d whole audits", audits)
}
