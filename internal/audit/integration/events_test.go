//go:build integration

package integration

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/akscheck/akscheck/internal/audit"
	"github.com/akscheck/akscheck/internal/testutil/kubetest"
)

// startAuditWithEvents is startAudit with --events, its Events sent with the same token, at
// most maxEvents an audit (0: the default), reported as instance, logging to logs.
func startAuditWithEvents(t *testing.T, resync time.Duration, maxEvents int, instance string, logs io.Writer) string {
	t.Helper()
	return startAuditWith(t, auditParams{token: kubetest.AdminToken, resync: resync, debounce: time.Hour, syncWait: 30 * time.Second,
		logs: logs, events: func(cs *kubernetes.Clientset) *audit.Events {
			return &audit.Events{Client: cs.EventsV1(), Instance: instance, Max: maxEvents}
		}}).base
}

// auditsDone reads akscheck_audits_total from /metrics.
func auditsDone(t *testing.T, base string) float64 {
	t.Helper()
	_, body := get(t, base+"/metrics")
	n, err := strconv.ParseFloat(strings.TrimPrefix(grep(string(body), "akscheck_audits_total "), "akscheck_audits_total "), 64)
	if err != nil {
		t.Fatalf("akscheck_audits_total: %v", err)
	}
	return n
}

func findingEvents(t *testing.T, cs kubernetes.Interface, ns string) []eventsv1.Event {
	t.Helper()
	l, err := cs.EventsV1().Events(ns).List(t.Context(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []eventsv1.Event
	for _, ev := range l.Items {
		if ev.Reason == audit.EventReason {
			out = append(out, ev)
		}
	}
	return out
}

// TestAuditEvents: with --events, a privileged Deployment present at the first audit gets
// one privileged-container Event on it (Warning, from akscheck.io/audit), visible through
// the core API too (kubectl describe); later resyncs, seeing the same findings, add none.
func TestAuditEvents(t *testing.T) {
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(api.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	// A namespace of its own per run (-count reuses the API server; a fresh history sees
	// the findings of an earlier run's Deployment as new again).
	ns := "events-shop-" + strconv.FormatInt(time.Now().UnixNano()%1e6, 36)
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dep := deployment()
	dep.Namespace = ns
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	const resync = 2 * time.Second
	base := startAuditWithEvents(t, resync, 0, "akscheck-audit-test", os.Stderr)
	eventually(t, 60*time.Second, "the first audit", func() bool {
		code, _ := get(t, base+"/api/v1/reports/latest")
		return code == http.StatusOK
	})
	// The audit counts itself before it stores and publishes: once a second audit has been
	// counted, the first one's Events are all out.
	eventually(t, 3*resync+5*time.Second, "a second audit", func() bool { return auditsDone(t, base) >= 2 })
	all := findingEvents(t, cs, ns)
	var privileged []eventsv1.Event
	for _, ev := range all {
		if strings.HasPrefix(ev.Note, "privileged-container (") {
			privileged = append(privileged, ev)
		}
	}
	if len(privileged) != 1 {
		t.Fatalf("%d privileged-container Events, want 1: %+v", len(privileged), privileged)
	}
	ev := privileged[0]
	if ev.Type != corev1.EventTypeWarning || ev.ReportingController != audit.EventController || ev.Regarding.Kind != "Deployment" ||
		ev.Regarding.APIVersion != "apps/v1" || ev.Regarding.Name != "web" || ev.Regarding.Namespace != ns {
		t.Errorf("the Event: type %s, controller %s, regarding %+v", ev.Type, ev.ReportingController, ev.Regarding)
	}
	t.Logf("first audit: %d Events in %s, e.g. %q", len(all), ns, ev.Note)
	// kubectl describe reads core/v1 Events by involvedObject: the same Event.
	core, err := cs.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=web,reason=" + audit.EventReason})
	if err != nil || len(core.Items) != len(all) {
		t.Errorf("core/v1 Events of web: %d (%v), want %d", len(core.Items), err, len(all))
	}

	// Two resyncs later, the same findings: no new Event.
	before := auditsDone(t, base)
	eventually(t, 3*resync+5*time.Second, "two more audits", func() bool { return auditsDone(t, base) >= before+2 })
	if again := findingEvents(t, cs, ns); len(again) != len(all) {
		t.Errorf("after two resyncs: %d Events, want the first audit's %d", len(again), len(all))
	}
}

// syncBuffer is a log buffer the audit writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestAuditEventsCapped: an audit publishes at most --events' cap of Events and logs that it
// stopped short; the findings left out are not new in the next audit, so they get none later.
func TestAuditEventsCapped(t *testing.T) {
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(api.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	ns := "events-capped-" + strconv.FormatInt(time.Now().UnixNano()%1e6, 36)
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dep := deployment()
	dep.Namespace = ns
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, dep, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	const resync = 2 * time.Second
	instance := "akscheck-audit-capped-" + ns
	var logs syncBuffer
	base := startAuditWithEvents(t, resync, 2, instance, &logs)
	eventually(t, 60*time.Second, "two audits", func() bool { return auditsDone(t, base) >= 2 })
	all, err := cs.EventsV1().Events("").List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mine := 0
	for _, ev := range all.Items {
		if ev.ReportingInstance == instance {
			mine++
		}
	}
	if mine != 2 {
		t.Errorf("%d Events from this audit, want the cap of 2", mine)
	}
	if !strings.Contains(logs.String(), "more new findings than Events") {
		t.Errorf("capping is not logged:\n%s", logs.String())
	}
}
