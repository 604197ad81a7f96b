package history

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
)

// The fleet: the clusters whose audits share the database, each by its latest audit (the
// clusters table, kept by Record), the items failing in several of them, and the worst open
// findings across them. These queries span every cluster, whatever the Store's.

// ClusterScore is one cluster of the fleet, as its latest audit left it.
type ClusterScore struct {
	Cluster  string    `json:"cluster"`
	Audit    int64     `json:"audit"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Score is absent when the audit evaluated no item.
	Score    *float64 `json:"score,omitempty"`
	Findings int      `json:"findings"`
	// Critical and High count the audit's findings of those severities.
	Critical int `json:"critical"`
	High     int `json:"high"`
	// ItemsFailing and ItemsNotEvaluated count the checklist items of those statuses.
	ItemsFailing      int `json:"itemsFailing"`
	ItemsNotEvaluated int `json:"itemsNotEvaluated"`
}

// Clusters returns the names of the clusters that recorded audits in the database, sorted.
func (s *Store) Clusters(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM clusters ORDER BY name`)
	if err != nil {
		return nil, s.fail("reading the clusters", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, s.fail("reading the clusters", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("reading the clusters", err)
	}
	return out, nil
}

// Fleet returns every cluster of the database by its latest audit, worst first: by score
// ascending (the clusters without a score last), then by name.
func (s *Store) Fleet(ctx context.Context) ([]ClusterScore, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.name, a.id, a.started, a.finished, a.score, a.findings, a.items_fail,
		a.items_not_evaluated, a.summary FROM clusters c JOIN audits a ON a.id = c.latest_audit`)
	if err != nil {
		return nil, s.fail("reading the fleet", err)
	}
	defer rows.Close()
	out := []ClusterScore{}
	for rows.Next() {
		var c ClusterScore
		var started, finished int64
		var score sql.NullFloat64
		var summary string
		if err := rows.Scan(&c.Cluster, &c.Audit, &started, &finished, &score, &c.Findings, &c.ItemsFailing,
			&c.ItemsNotEvaluated, &summary); err != nil {
			return nil, s.fail("reading the fleet", err)
		}
		c.Started, c.Finished, c.Score = time.Unix(0, started).UTC(), time.Unix(0, finished).UTC(), ptr(score)
		var sum report.Summary
		if err := json.Unmarshal([]byte(summary), &sum); err != nil {
			return nil, s.fail("reading the fleet", fmt.Errorf("the summary of audit %d: %w", c.Audit, err))
		}
		c.Critical, c.High = sum.Findings[check.Critical.String()], sum.Findings[check.High.String()]
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("reading the fleet", err)
	}
	slices.SortFunc(out, func(a, b ClusterScore) int {
		switch {
		case a.Score == nil && b.Score != nil:
			return 1
		case a.Score != nil && b.Score == nil:
			return -1
		case a.Score != nil && *a.Score != *b.Score:
			return cmp.Compare(*a.Score, *b.Score)
		}
		return strings.Compare(a.Cluster, b.Cluster)
	})
	return out, nil
}

// FleetItem is a checklist item failing in some clusters of the fleet.
type FleetItem struct {
	Item    string `json:"item"`
	Section string `json:"section"`
	// Failing is how many clusters' latest audits fail it, of Clusters audited; FailingIn
	// names them, sorted.
	Failing   int      `json:"failing"`
	Clusters  int      `json:"clusters"`
	FailingIn []string `json:"failingIn"`
}

// FleetItems returns the items failing in the latest audit of at least one cluster, the
// most widespread first (then by item), at most limit.
func (s *Store) FleetItems(ctx context.Context, limit int) ([]FleetItem, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM clusters WHERE latest_audit IS NOT NULL`).Scan(&total); err != nil {
		return nil, s.fail("reading the fleet's items", err)
	}
	// CROSS JOIN: SQLite then reads the clusters first and each one's items by the items'
	// key, rather than every audit's items (200 clusters of a day of hourly audits,
	// BenchmarkFleetQueries: 60 ms before, 23 ms so; PostgreSQL plans it alike either way).
	rows, err := s.db.QueryContext(ctx, s.d.bind(`SELECT i.item, i.section, c.name FROM clusters c
		CROSS JOIN audit_items i WHERE i.audit_id = c.latest_audit AND i.status = ? ORDER BY i.item, c.name`), report.StatusFail)
	if err != nil {
		return nil, s.fail("reading the fleet's items", err)
	}
	defer rows.Close()
	out := []FleetItem{}
	for rows.Next() {
		var item, section, cluster string
		if err := rows.Scan(&item, &section, &cluster); err != nil {
			return nil, s.fail("reading the fleet's items", err)
		}
		if len(out) == 0 || out[len(out)-1].Item != item {
			out = append(out, FleetItem{Item: item, Section: section, Clusters: total})
		}
		it := &out[len(out)-1]
		it.Failing++
		it.FailingIn = append(it.FailingIn, cluster)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("reading the fleet's items", err)
	}
	slices.SortStableFunc(out, func(a, b FleetItem) int { return b.Failing - a.Failing })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// FleetFindings returns the worst open findings of every cluster: the critical ones first,
// then high, and so on, each severity's oldest first, at most limit. Each carries its
// cluster.
func (s *Store) FleetFindings(ctx context.Context, limit int) ([]Finding, error) {
	out := []Finding{}
	// Severity by severity, so that each query reads the open findings of one severity in
	// first-seen order from an index and stops at the limit.
	for _, sev := range check.Severities() {
		if len(out) >= limit {
			break
		}
		rows, err := s.db.QueryContext(ctx, s.d.bind(`SELECT cluster, fingerprint, check_id, item, severity, kind, namespace,
			name, container, message, occurrences, first_seen, last_seen, fixed_at FROM findings
			WHERE fixed_at IS NULL AND severity = ? ORDER BY first_seen, cluster, fingerprint LIMIT ?`), sev.String(), limit-len(out))
		if err != nil {
			return nil, s.fail("reading the fleet's findings", err)
		}
		fs, err := s.scanFindings(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}
