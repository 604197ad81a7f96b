package audit

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/report"
)

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
