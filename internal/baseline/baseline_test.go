package baseline_test

import (
	"bytes"
	"errors"
	"io/fs"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/baseline"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil/scantest"
)

func scan(t *testing.T, paths ...string) (*report.Report, *catalog.Catalog) {
	t.Helper()
	return scanWith(t, nil, paths...)
}

// scanWith scans with a baseline, which the engine applies as its last suppression.
func scanWith(t *testing.T, b *baseline.File, paths ...string) (*report.Report, *catalog.Catalog) {
	t.Helper()
	return scantest.Run(t, engine.Options{Version: "test", Baseline: b, BaselineSource: "baseline.json"}, paths...)
}

func roundTrip(t *testing.T, b *baseline.File) *baseline.File {
	t.Helper()
	var buf bytes.Buffer
	if err := baseline.Write(&buf, b); err != nil {
		t.Fatal(err)
	}
	got, err := baseline.Read(&buf, "baseline.json")
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	return got
}

// TestSameScanIsAllBaselined: a baseline of a scan suppresses every finding of the same scan,
// the counts follow, and item statuses and the score stay.
func TestSameScanIsAllBaselined(t *testing.T) {
	t.Parallel()
	rep, cat := scan(t, "../../examples")
	items := append([]report.Item(nil), rep.Items...)
	score := *rep.Summary.Score
	itemCounts := maps.Clone(rep.Summary.Items)
	n, suppressed := len(rep.Findings), len(rep.Suppressed)
	if n == 0 {
		t.Fatal("the examples have no findings")
	}
	b := roundTrip(t, baseline.New(rep, cat))
	rep, _ = scanWith(t, b, "../../examples")
	if len(rep.Findings) != 0 || len(rep.Suppressed) != n+suppressed {
		t.Errorf("%d findings left, %d suppressed; want 0 and %d", len(rep.Findings), len(rep.Suppressed), n+suppressed)
	}
	for _, f := range rep.Suppressed {
		if f.SuppressedBy == "" {
			t.Errorf("suppressed finding without a reason: %+v", f)
		}
	}
	for sev, c := range rep.Summary.Findings {
		if c != 0 {
			t.Errorf("summary still counts %d %s findings", c, sev)
		}
	}
	if rep.CountAtOrAbove(check.Info) != 0 {
		t.Error("the exit code would still fail")
	}
	if *rep.Summary.Score != score || !maps.Equal(rep.Summary.Items, itemCounts) {
		t.Error("the baseline changed the score or the item counts")
	}
	for i, it := range rep.Items {
		if it.Status != items[i].Status {
			t.Errorf("item %s went from %s to %s", it.ID, items[i].Status, it.Status)
		}
	}
	if rep.Baseline == nil || rep.Baseline.Suppressed != n || len(rep.Baseline.Fixed) != 0 {
		t.Errorf("baseline info %+v", rep.Baseline)
	}
	// --write-baseline beside --baseline records the findings as they were before it.
	var before, after bytes.Buffer
	if err := baseline.Write(&before, b); err != nil {
		t.Fatal(err)
	}
	if err := baseline.Write(&after, baseline.New(rep, cat)); err != nil {
		t.Fatal(err)
	}
	if before.String() != after.String() {
		t.Errorf("the baseline recorded after applying one differs:\n%s\nwant\n%s", after.String(), before.String())
	}
}

// TestNewAndFixed: a finding absent from the baseline stays; a baseline entry with no finding
// is listed as fixed; lines and files do not matter.
func TestNewAndFixed(t *testing.T) {
	t.Parallel()
	rep, cat := scan(t, "../../examples")
	b := baseline.New(rep, cat)
	newOne := b.Findings[0]
	b.Findings = b.Findings[1:]
	gone := baseline.Entry{FixedFinding: report.FixedFinding{Check: "liveness-probe", Item: "dev.liveness-probe", Severity: check.Medium,
		Message: "container \"old\" of Deployment old has no liveness probe", Object: report.Object{Kind: "Deployment", Namespace: "shop", Name: "old"}, Container: "old"}}
	gone.Fingerprint = report.FixedFingerprint(gone.FixedFinding)
	b.Findings = append(b.Findings, gone)
	for i := range rep.Findings { // move every finding: other lines, another file name
		rep.Findings[i].Location.Line += 40
		rep.Findings[i].Location.File = "moved/" + rep.Findings[i].Location.File
	}
	baseline.Apply(rep, roundTrip(t, b), "baseline.json", cat)
	rep.Summarize()
	if len(rep.Findings) != 1 || report.Fingerprint(rep.Findings[0]) != newOne.Fingerprint {
		t.Errorf("new findings: %+v", rep.Findings)
	}
	total := 0
	for _, c := range rep.Summary.Findings {
		total += c
	}
	if total != 1 || rep.Summary.Findings[newOne.Severity.String()] != 1 {
		t.Errorf("summary counts %v", rep.Summary.Findings)
	}
	if len(rep.Baseline.Fixed) != 1 || rep.Baseline.Fixed[0].Object.Name != "old" {
		t.Errorf("fixed: %+v", rep.Baseline.Fixed)
	}
}

// TestSiblingsMatchByMessage: two findings share a fingerprint (the object's labels and its
// pod template's); the baseline records one, and the other is new whatever their order.
func TestSiblingsMatchByMessage(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	obj := report.Object{Kind: "Deployment", Namespace: "shop", Name: "cart"}
	a := report.Finding{Check: "required-labels", Item: "ops.labels", Severity: check.Low, Message: "Deployment cart lacks label(s) x", Object: obj}
	b := report.Finding{Check: "required-labels", Item: "ops.labels", Severity: check.Low, Message: "the pod template of Deployment cart lacks label(s) x", Object: obj}
	base := baseline.New(&report.Report{Findings: []report.Finding{b}}, cat)
	rep := &report.Report{Findings: []report.Finding{a, b}, Summary: report.Summary{Findings: map[string]int{}}}
	baseline.Apply(rep, base, "b.json", cat)
	if len(rep.Findings) != 1 || rep.Findings[0].Message != a.Message {
		t.Errorf("left: %+v", rep.Findings)
	}
}

func TestFileIsStableAndReviewable(t *testing.T) {
	t.Parallel()
	rep, cat := scan(t, "../../examples")
	var one, two bytes.Buffer
	if err := baseline.Write(&one, baseline.New(rep, cat)); err != nil {
		t.Fatal(err)
	}
	for i := range rep.Findings {
		rep.Findings[i].Location.Line++
	}
	if err := baseline.Write(&two, baseline.New(rep, cat)); err != nil {
		t.Fatal(err)
	}
	if one.String() != two.String() {
		t.Error("the baseline file changes when lines move")
	}
	if strings.Count(one.String(), "\n") != len(rep.Findings)+6 {
		t.Errorf("want one finding per line:\n%s", one.String())
	}
	path := filepath.Join(t.TempDir(), "b.json")
	if err := baseline.WriteFile(path, baseline.New(rep, cat)); err != nil {
		t.Fatal(err)
	}
	if _, err := baseline.ReadFile(path); err != nil {
		t.Fatal(err)
	}
}

func TestBadFiles(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]string{
		"empty":          "",
		"syntax":         `{"version": 1, "findings": [`,
		"unknown field":  `{"version": 1, "findings": [], "extra": true}`,
		"wrong version":  `{"version": 2, "findings": []}`,
		"no fingerprint": `{"version": 1, "findings": [{"check": "x"}]}`,
		"two documents":  `{"version": 1, "findings": []} {}`,
		"wrong type":     `{"version": "1", "findings": []}`,
	} {
		if _, err := baseline.Read(strings.NewReader(in), "b.json"); err == nil || !strings.Contains(err.Error(), "b.json") {
			t.Errorf("%s: error %v does not name the file", name, err)
		}
	}
	if _, err := baseline.ReadFile(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
