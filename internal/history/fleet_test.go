package history

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil/scantest"
)

// recordOld writes an audit as an akscheck of schema version v (1 or 2) wrote it, with one
// finding (its fingerprint is the report's) and one item, straight in SQL: the Store of
// today writes the columns of version 3.
func recordOld(t *testing.T, s *Store, v int, at time.Time, f report.Finding) {
	t.Helper()
	ctx := t.Context()
	r := rep(f)
	var id int64
	if err := s.db.QueryRowContext(ctx, s.d.bind(`INSERT INTO audits (started, finished, duration_ns, score, findings, items_pass,
		items_fail, items_not_evaluated, items_not_applicable, errors, summary) VALUES (?,?,0,25,1,0,1,0,0,0,?) RETURNING id`),
		at.UnixNano(), at.UnixNano(), `{"findings":{"high":1},"items":{"fail":1},"score":25}`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	packed, err := pack([]byte(`{"schemaVersion":"1","tool":{"name":"akscheck","version":"old"},"inputs":[],"findings":[],"items":[],"summary":{"findings":{},"items":{}}}` + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO audit_reports (audit_id, report) VALUES (?, ?)`, []any{id, packed}},
		{`INSERT INTO audit_items (audit_id, item, section, status, reason) VALUES (?,?,?,?,'')`,
			[]any{id, r.Items[0].ID, r.Items[0].Section, report.StatusFail}},
		{`INSERT INTO findings (fingerprint, check_id, item, severity, kind, namespace, name, container, message, occurrences,
			first_seen, last_seen, last_audit) VALUES (?,?,?,?,?,?,?,'',?,1,?,?,?) ON CONFLICT (fingerprint) DO UPDATE SET
			last_seen = excluded.last_seen, last_audit = excluded.last_audit`,
			[]any{report.Fingerprint(f), f.Check, f.Item, f.Severity.String(), f.Object.Kind, f.Object.Namespace, f.Object.Name,
				f.Message, at.UnixNano(), at.UnixNano(), id}},
	} {
		if _, err := s.db.ExecContext(ctx, s.d.bind(q.sql), q.args...); err != nil {
			t.Fatal(err)
		}
	}
	if v >= 2 {
		if _, err := s.db.ExecContext(ctx, s.d.bind(`INSERT INTO audit_sections (audit_id, section, score) VALUES (?, 'workload', 25)`), id); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMigrationKeepsData writes audits at every version before 3, as those versions wrote
// them, and opens the database as cluster prod: the audits, reports, scores and findings
// are prod's, first-seen times kept; the next audit fixes what it no longer sees; prod is
// in the fleet. A database migrated without a cluster name keeps them under the empty one.
func TestMigrationKeepsData(t *testing.T) {
	eachTarget(t, func(t *testing.T, tg target) {
		for from := 1; from < 3; from++ {
			t.Run(fmt.Sprint("from version ", from), func(t *testing.T) {
				testMigrationKeepsData(t, tg, from)
			})
		}
	})
}

func testMigrationKeepsData(t *testing.T, tg target, from int) {
	ctx := t.Context()
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	web, api := finding("shop", "web"), finding("shop", "api")
	for _, name := range []string{"prod", ""} {
		where := tg.fresh(t)
		old, err := tg.open(ctx, where, from)
		if err != nil {
			t.Fatal(err)
		}
		recordOld(t, old, from, t0, web)
		recordOld(t, old, from, t0.Add(time.Hour), web)
		old.Close()

		s, err := tg.open(ctx, where, 0, WithCluster(name))
		if err != nil {
			t.Fatalf("migrating from version %d: %v", from, err)
		}
		if s.Cluster() != name {
			t.Fatalf("cluster %q, want %q", s.Cluster(), name)
		}
		h, err := s.History(ctx, time.Time{}, 10)
		if err != nil || len(h) != 2 || h[1].Score == nil || *h[1].Score != 25 {
			t.Fatalf("%q: history %+v (%v)", name, h, err)
		}
		if (from >= 2) != (len(h[1].Sections) == 1) {
			t.Errorf("%q: sections %+v after version %d", name, h[1].Sections, from)
		}
		a, body, err := s.Latest(ctx)
		if err != nil || !a.Started.Equal(t0.Add(time.Hour)) || len(body) == 0 {
			t.Fatalf("%q: latest %+v (%v)", name, a, err)
		}
		open, err := s.FindingsNewSince(ctx, time.Time{}, 10)
		if err != nil || len(open) != 1 || !open[0].FirstSeen.Equal(t0) || !open[0].LastSeen.Equal(t0.Add(time.Hour)) {
			t.Fatalf("%q: open findings %+v (%v)", name, open, err)
		}
		fleet, err := s.Fleet(ctx)
		if err != nil || len(fleet) != 1 || fleet[0].Cluster != name || fleet[0].Audit != a.ID || fleet[0].High != 1 {
			t.Fatalf("%q: fleet %+v (%v)", name, fleet, err)
		}
		// Another cluster sees none of it.
		if o, err := s.ForCluster("other").FindingsNewSince(ctx, time.Time{}, 10); err != nil || len(o) != 0 {
			t.Fatalf("%q: another cluster's findings %+v (%v)", name, o, err)
		}
		// The next audit of the cluster goes on from the old ones.
		if _, err := s.Record(ctx, t0.Add(2*time.Hour), t0.Add(2*time.Hour), rep(api)); err != nil {
			t.Fatal(err)
		}
		fixed, err := s.FindingsFixedSince(ctx, t0, 10)
		if err != nil || len(fixed) != 1 || fixed[0].Object.Name != "web" || !fixed[0].FirstSeen.Equal(t0) {
			t.Fatalf("%q: fixed %+v (%v)", name, fixed, err)
		}
		if fleet, _ := s.Fleet(ctx); len(fleet) != 1 || !fleet[0].Started.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("%q: fleet after the next audit %+v", name, fleet)
		}
		s.Close()
	}
}

// TestFleet: three clusters record into one database at once, each through its own Store
// (for SQLite, three connections pools on one file). The same finding in two clusters is two
// rows; each Store reads its own cluster only; the fleet ranks them and finds the item
// failing everywhere and the worst findings.
func TestFleet(t *testing.T) {
	eachTarget(t, testFleet)
}

func testFleet(t *testing.T, tg target) {
	ctx := t.Context()
	where := tg.fresh(t)
	names := []string{"prod", "staging", "dev"}
	stores := map[string]*Store{}
	for _, n := range names {
		s, err := tg.open(ctx, where, 0, WithCluster(n))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[n] = s
	}
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	crit := finding("shop", "web")
	crit.Check, crit.Severity = "host-network", check.Critical
	// prod: 3 findings, one critical; staging: 1 high; dev: none but an item failing
	// elsewhere passes. Each records 20 audits, concurrently with the others.
	reportOf := func(n string, i int) *report.Report {
		switch n {
		case "prod":
			return rep(finding("shop", "web"), finding("shop", fmt.Sprint("api-", i%2)), crit)
		case "staging":
			return rep(finding("shop", "web"))
		}
		r := rep()
		r.Items[0].Status = report.StatusPass
		r.Summarize()
		return r
	}
	const audits = 20
	var wg sync.WaitGroup
	errs := make(chan error, len(names)*audits)
	for _, n := range names {
		wg.Go(func() {
			for i := range audits {
				at := t0.Add(time.Duration(i) * time.Hour)
				if _, err := stores[n].Record(ctx, at, at.Add(time.Second), reportOf(n, i)); err != nil {
					errs <- fmt.Errorf("%s: %w", n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// Each Store reads its own cluster.
	for n, want := range map[string]int{"prod": 3, "staging": 1, "dev": 0} {
		s := stores[n]
		open, err := s.FindingsNewSince(ctx, time.Time{}, 100)
		if err != nil || len(open) != want {
			t.Errorf("%s: %d open findings (%v), want %d", n, len(open), err, want)
		}
		if h, err := s.History(ctx, time.Time{}, 100); err != nil || len(h) != audits {
			t.Errorf("%s: %d audits in the history (%v), want %d", n, len(h), err, audits)
		}
		if rs, _, err := s.ReportsSince(ctx, time.Time{}, 100); err != nil || len(rs) != audits {
			t.Errorf("%s: %d reports (%v), want %d", n, len(rs), err, audits)
		}
	}
	// The same finding in prod and staging: two rows, each with its own times.
	var rows int
	if err := stores["prod"].db.QueryRowContext(ctx, stores["prod"].d.bind(`SELECT COUNT(*) FROM findings WHERE fingerprint = ?`),
		report.Fingerprint(finding("shop", "web"))).Scan(&rows); err != nil || rows != 2 {
		t.Fatalf("the finding of two clusters has %d rows (%v), want 2", rows, err)
	}
	// prod's api-0/api-1 alternate: each audit fixes one and reopens the other; staging's
	// findings are never touched by prod's audits.
	if fixed, err := stores["prod"].FindingsFixedSince(ctx, time.Time{}, 100); err != nil || len(fixed) != 1 {
		t.Errorf("prod: fixed %+v (%v), want api-0 only", fixed, err)
	}
	if fixed, _ := stores["staging"].FindingsFixedSince(ctx, time.Time{}, 100); len(fixed) != 0 {
		t.Errorf("staging: fixed %+v: another cluster's audit fixed its findings", fixed)
	}

	if cs, err := stores["dev"].Clusters(ctx); err != nil || !slices.Equal(cs, []string{"dev", "prod", "staging"}) {
		t.Errorf("clusters %v (%v)", cs, err)
	}
	fleet, err := stores["dev"].Fleet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ranked []string
	for _, c := range fleet {
		ranked = append(ranked, c.Cluster)
		if !c.Started.Equal(t0.Add((audits - 1) * time.Hour)) {
			t.Errorf("%s: latest audit at %s", c.Cluster, c.Started)
		}
	}
	if !slices.Equal(ranked, []string{"prod", "staging", "dev"}) || fleet[0].Critical != 1 || fleet[0].High != 2 ||
		fleet[0].Findings != 3 || fleet[0].ItemsFailing != 1 || fleet[2].ItemsFailing != 0 {
		t.Errorf("fleet %+v, want prod (1 critical, 2 high), staging, dev", fleet)
	}
	items, err := stores["prod"].FleetItems(ctx, 10)
	if err != nil || len(items) != 1 || items[0].Item != "workload.security-context" || items[0].Failing != 2 ||
		items[0].Clusters != 3 || !slices.Equal(items[0].FailingIn, []string{"prod", "staging"}) {
		t.Errorf("fleet items %+v (%v)", items, err)
	}
	worst, err := stores["staging"].FleetFindings(ctx, 3)
	if err != nil || len(worst) != 3 || worst[0].Cluster != "prod" || worst[0].Check != "host-network" || worst[1].Severity != "high" {
		t.Errorf("worst findings %+v (%v)", worst, err)
	}

	// Retention is each cluster's: pruning prod leaves the others' audits.
	if n, err := stores["prod"].Prune(ctx, t0.Add(time.Duration(audits)*time.Hour)); err != nil || n != audits {
		t.Fatalf("pruned %d (%v)", n, err)
	}
	if h, _ := stores["staging"].History(ctx, time.Time{}, 100); len(h) != audits {
		t.Errorf("staging has %d audits after prod's pruning", len(h))
	}
	if fleet, _ := stores["dev"].Fleet(ctx); len(fleet) != 2 {
		t.Errorf("fleet after prod's audits all went: %+v", fleet)
	}
}

// TestUnlistedKindIsNotFixed: an audit that could not list a kind, whose item still fails
// through another object, leaves the findings on objects of that kind open with their
// last-seen time; so does one whose check was blocked for want of a kind. The next audit
// that lists the kind fixes them.
func TestUnlistedKindIsNotFixed(t *testing.T) {
	eachTarget(t, testUnlistedKindIsNotFixed)
}

func testUnlistedKindIsNotFixed(t *testing.T, tg target) {
	s, _ := tg.openTemp(t)
	ctx := t.Context()
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	web := finding("shop", "web") // a Deployment
	db := finding("shop", "db")
	db.Object.Kind = "StatefulSet"
	pdb := finding("shop", "api")
	pdb.Check = "pdb-missing" // reads PodDisruptionBudgets besides its Deployments
	record := func(at time.Time, r *report.Report) {
		t.Helper()
		if _, err := s.Record(ctx, at, at, r); err != nil {
			t.Fatal(err)
		}
	}
	record(t0, rep(web, db, pdb))
	// Deployments and PodDisruptionBudgets could not be listed: the item still fails
	// (the StatefulSet), pdb-missing did not run.
	blind := rep(db)
	blind.Unlisted = map[string]string{"Deployment": "forbidden", "PodDisruptionBudget": "forbidden"}
	blind.Items[0].Blocked = []string{"pdb-missing"}
	record(t0.Add(time.Hour), blind)
	if fixed, _ := s.FindingsFixedSince(ctx, t0, 100); len(fixed) != 0 {
		t.Fatalf("fixed by an audit that could not list their kind: %+v", fixed)
	}
	open, err := s.FindingsNewSince(ctx, t0, 100)
	if err != nil || len(open) != 3 {
		t.Fatalf("open: %+v (%v)", open, err)
	}
	for _, f := range open {
		want := t0
		if f.Object.Kind == "StatefulSet" {
			want = t0.Add(time.Hour)
		}
		if !f.LastSeen.Equal(want) {
			t.Errorf("%s %s: last seen %s, want %s", f.Check, f.Object.Name, f.LastSeen, want)
		}
	}
	// What the blind audit could see is fixed by it: the StatefulSet gone is fixed, the
	// findings on Deployments stay open.
	blind2 := rep()
	blind2.Unlisted = map[string]string{"Deployment": "forbidden"}
	record(t0.Add(2*time.Hour), blind2)
	if fixed, _ := s.FindingsFixedSince(ctx, t0, 100); len(fixed) != 1 || fixed[0].Object.Kind != "StatefulSet" {
		t.Fatalf("fixed by an audit that listed StatefulSets only: %+v", fixed)
	}
	// Everything listed again, nothing found: all fixed.
	record(t0.Add(3*time.Hour), rep())
	if fixed, _ := s.FindingsFixedSince(ctx, t0, 100); len(fixed) != 3 {
		t.Fatalf("after an audit that listed every kind: %+v", fixed)
	}
}

// TestForClusterClose: a view of another cluster shares the database, which its Close
// leaves open.
func TestForClusterClose(t *testing.T) {
	t.Parallel()
	s, _ := openTemp(t)
	v := s.ForCluster("other")
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Clusters(context.WithoutCancel(t.Context())); err != nil {
		t.Fatalf("the view's Close closed the database: %v", err)
	}
}

// TestSeverityFollowsTheLatestAudit: a finding's severity is the latest audit's, when it
// changes while the finding is open and when a fixed finding comes back with another.
func TestSeverityFollowsTheLatestAudit(t *testing.T) {
	eachTarget(t, func(t *testing.T, tg target) {
		s, _ := tg.openTemp(t)
		ctx := t.Context()
		t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		f := finding("shop", "web")
		for i, sev := range []check.Severity{check.High, check.Critical, -1, check.Low} {
			at := t0.Add(time.Duration(i) * time.Hour)
			r := rep()
			if sev >= 0 {
				f.Severity = sev
				r = rep(f)
			}
			if _, err := s.Record(ctx, at, at, r); err != nil {
				t.Fatal(err)
			}
			open, err := s.FindingsNewSince(ctx, time.Time{}, 10)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case sev < 0 && len(open) != 0:
				t.Fatalf("audit %d: open %+v, want it fixed", i, open)
			case sev >= 0 && (len(open) != 1 || open[0].Severity != sev.String() || !open[0].FirstSeen.Equal(t0) || !open[0].LastSeen.Equal(at)):
				t.Fatalf("audit %d: open %+v, want one %s finding first seen at t0", i, open, sev)
			}
		}
	})
}

// BenchmarkFleetQueries times the fleet's queries over 200 clusters sharing a database, each
// with a day of hourly audits of the examples' estate (scanned once; 170 findings):
//
//	go test ./internal/history -run '^$' -bench FleetQueries
func BenchmarkFleetQueries(b *testing.B) {
	r, _ := scantest.Run(b, engine.Options{}, "../../examples/k8s")
	const clusters, audits = 200, 24
	for _, tg := range targets() {
		b.Run(tg.name, func(b *testing.B) {
			where := tg.fresh(b)
			t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
			for c := range clusters {
				s, err := tg.open(b.Context(), where, 0, WithCluster(fmt.Sprintf("cluster-%03d", c)))
				if err != nil {
					b.Fatal(err)
				}
				for i := range audits {
					at := t0.Add(time.Duration(i) * time.Hour)
					if _, err := s.Record(b.Context(), at, at, r); err != nil {
						b.Fatal(err)
					}
				}
				s.Close()
			}
			s, err := tg.open(b.Context(), where, 0, WithCluster("cluster-000"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			for _, q := range []struct {
				name string
				run  func() (int, error)
			}{
				{"clusters", func() (int, error) { f, err := s.Fleet(b.Context()); return len(f), err }},
				{"items", func() (int, error) { f, err := s.FleetItems(b.Context(), 200); return len(f), err }},
				{"findings", func() (int, error) { f, err := s.FleetFindings(b.Context(), 200); return len(f), err }},
			} {
				b.Run(q.name, func(b *testing.B) {
					for b.Loop() {
						if n, err := q.run(); err != nil || n == 0 {
							b.Fatalf("%d rows, %v", n, err)
						}
					}
				})
			}
		})
	}
}
