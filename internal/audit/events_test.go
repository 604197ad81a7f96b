package audit

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
)

func eventAuditor(t *testing.T, dir string, maxEvents int) (*Auditor, *fake.Clientset, *bytes.Buffer) {
	t.Helper()
	store, err := history.Open(t.Context(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cs := fake.NewClientset()
	var logs bytes.Buffer
	clock := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	a, err := New(Options{Scan: scan.Request{Catalog: catalog.MustLoad(), Checks: checks.All(), Version: "test"},
		Cluster: &fileCluster{t: t, dir: dir}, Store: store, Context: "test",
		Events: &Events{Client: cs.EventsV1(), Instance: "akscheck-audit-0", Max: maxEvents},
		Log:    slog.New(slog.NewTextHandler(&logs, nil)),
		Now:    func() time.Time { clock = clock.Add(time.Minute); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	return a, cs, &logs
}

// events lists the Events in namespace shop, the test Deployment's.
func events(t *testing.T, cs *fake.Clientset) []eventsv1.Event {
	t.Helper()
	l, err := cs.EventsV1().Events("shop").List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return l.Items
}

// TestEventsOfNewFindings: the first audit publishes one Warning Event per new finding on a
// namespaced object, on that object; the next audit, seeing the same findings, publishes
// none; a finding that appears then gets its Event.
func TestEventsOfNewFindings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, false)
	a, cs, _ := eventAuditor(t, dir, 0)
	rep, err := a.Audit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	first := events(t, cs)
	// One Event per finding in the history: the findings of one fingerprint are one.
	onObject := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Object.Namespace == "shop" {
			onObject[report.Fingerprint(f)] = true
		}
	}
	if len(first) == 0 || len(first) != len(onObject) {
		t.Fatalf("first audit: %d Events, want one per finding in namespace shop (%d)", len(first), len(onObject))
	}
	for _, ev := range first {
		if ev.Type != corev1.EventTypeWarning || ev.Reason != EventReason || ev.ReportingController != EventController ||
			ev.ReportingInstance != "akscheck-audit-0" || ev.Action == "" || ev.EventTime.IsZero() {
			t.Errorf("Event %+v", ev)
		}
		if r := ev.Regarding; r.Kind != "Deployment" || r.APIVersion != "apps/v1" || r.Namespace != "shop" || r.Name != "web" || ev.Namespace != "shop" {
			t.Errorf("Event %s regards %+v in %s, want the Deployment shop/web", ev.Name, r, ev.Namespace)
		}
	}
	if hasEvent(first, "privileged-container") {
		t.Fatalf("an unprivileged Deployment has a privileged-container Event")
	}

	if _, err := a.Audit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if again := events(t, cs); len(again) != len(first) {
		t.Errorf("a second audit of the same cluster: %d Events, want the first audit's %d", len(again), len(first))
	}

	write(t, dir, true)
	if _, err := a.Audit(t.Context()); err != nil {
		t.Fatal(err)
	}
	third := events(t, cs)
	if !hasEvent(third, "privileged-container") || len(third) != len(first)+1 {
		t.Errorf("after the Deployment turned privileged: %d Events (first audit %d), privileged-container among them %v",
			len(third), len(first), hasEvent(third, "privileged-container"))
	}
}

func hasEvent(evs []eventsv1.Event, check string) bool {
	for _, ev := range evs {
		if strings.HasPrefix(ev.Note, check+" (") {
			return true
		}
	}
	return false
}

// TestEventsCapped: an audit publishes at most Max Events, and says so in the log.
func TestEventsCapped(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, true)
	a, cs, logs := eventAuditor(t, dir, 2)
	if _, err := a.Audit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(events(t, cs)); n != 2 {
		t.Errorf("%d Events, want the cap of 2", n)
	}
	if !strings.Contains(logs.String(), "more new findings than Events") {
		t.Errorf("capping is not logged:\n%s", logs)
	}
}

// TestEventOnlyOnNamespacedObjects: findings on a Namespace, a cluster or a node pool get no
// Event; a Secret's Event leaves its message out.
func TestEventOnlyOnNamespacedObjects(t *testing.T) {
	t.Parallel()
	e := &Events{Instance: "x"}
	now := time.Now()
	for _, o := range []report.Object{{Kind: "Namespace", Name: "shop"}, {Kind: "Cluster", Name: "aks"},
		{Kind: "NodePool", Name: "system"}, {Kind: "ClusterRole", Name: "admin"}, {Kind: "Deployment", Name: "web"}} {
		if _, ok := e.event(history.Finding{Object: o, Check: "c"}, now); ok {
			t.Errorf("an Event on %+v", o)
		}
	}
	// The history keeps kinds by name: a name an add-on shares with a built-in kind is the
	// built-in one; an add-on's own name is the add-on's.
	for kind, want := range map[string]string{"NetworkPolicy": "networking.k8s.io/v1", "ScaledObject": "keda.sh/v1alpha1"} {
		ev, ok := e.event(history.Finding{Object: report.Object{Kind: kind, Namespace: "shop", Name: "x"}}, now)
		if !ok || ev.Regarding.APIVersion != want {
			t.Errorf("an Event on a %s: %v, regarding %+v; want %s", kind, ok, ev, want)
		}
	}
	ev, ok := e.event(history.Finding{Object: report.Object{Kind: "Secret", Namespace: "shop", Name: "db"}, Check: "secret-check",
		Severity: "high", Message: "key password looks like a credential"}, now)
	if !ok || ev.Note != "secret-check (high)" || ev.Regarding.APIVersion != "v1" {
		t.Errorf("the Secret's Event: %v %+v", ok, ev)
	}
}

func TestNote(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 2000)
	for _, tc := range []struct {
		f    history.Finding
		want string
	}{
		{history.Finding{Check: "privileged-container", Severity: "critical", Message: "container web\nruns\t privileged\x1b[31m"},
			"privileged-container (critical): container web runs privileged [31m"},
		{history.Finding{Check: "c", Severity: "low", Message: "  padded  "}, "c (low): padded"},
	} {
		if got := Note(tc.f); got != tc.want {
			t.Errorf("Note(%q) = %q, want %q", tc.f.Message, got, tc.want)
		}
	}
	got := Note(history.Finding{Check: "c", Severity: "low", Message: long})
	if len(got) > maxNote || !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
		t.Errorf("a long message: %d bytes, valid UTF-8 %v, ends %q", len(got), utf8.ValidString(got), got[len(got)-6:])
	}
}
