//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/akscheck/akscheck/internal/audit"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil/kubetest"
	"github.com/akscheck/akscheck/internal/testutil/pgtest"
)

// startFaultAudit starts an audit server for a fault test: resync only (no debounce),
// /readyz unready until the cache has synced (as the CLI's --ready-after, made long).
func startFaultAudit(t *testing.T, p auditParams) started {
	t.Helper()
	p.token, p.debounce, p.readyAfter = kubetest.AdminToken, time.Hour, time.Hour
	return startAuditWith(t, p)
}

// suffix makes the names of a run unique: -count reuses the control plane.
func suffix() string { return strconv.FormatInt(time.Now().UnixNano()%1e9, 36) }

// metric reads one series of /metrics (its name and labels as exposed), false when absent.
func metric(t *testing.T, base, series string) (float64, bool) {
	t.Helper()
	_, body := get(t, base+"/metrics")
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(string(body))
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s: %v", series, err)
	}
	return v, true
}

func metricValue(t *testing.T, base, series string) float64 {
	t.Helper()
	v, ok := metric(t, base, series)
	if !ok {
		t.Fatalf("/metrics has no %s", series)
	}
	return v
}

// allSynced: every informer_synced series of /metrics is 1.
func allSynced(t *testing.T, base string) bool {
	t.Helper()
	_, body := get(t, base+"/metrics")
	synced := grep(string(body), "akscheck_informer_synced{")
	return synced != "" && !strings.Contains(synced, "} 0")
}

func latestReport(t *testing.T, base string) report.Report {
	t.Helper()
	code, body := get(t, base+"/api/v1/reports/latest")
	var r report.Report
	if code != http.StatusOK {
		t.Fatalf("latest report: %d %s", code, body)
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("latest is no report: %v", err)
	}
	return r
}

// uniqueFindings fails the test when a report holds a finding twice, and returns how many
// findings of the report share each fingerprint (a check may report several things on one
// object, say two missing labels: one fingerprint, two messages).
func uniqueFindings(t *testing.T, r report.Report) map[string]int {
	t.Helper()
	seen := map[string]bool{}
	out := map[string]int{}
	for _, f := range r.Findings {
		fp := report.Fingerprint(f)
		key := fmt.Sprintf("%s %q %+v", fp, f.Message, f.Location)
		if seen[key] {
			t.Errorf("the report of %s holds a finding twice: %s on %s %s/%s: %s", r.GeneratedAt, f.Check, f.Object.Kind,
				f.Object.Namespace, f.Object.Name, f.Message)
		}
		seen[key] = true
		out[fp]++
	}
	return out
}

// openInHistory reads every open finding of a SQLite history, failing the test when a
// fingerprint has two rows.
func openInHistory(t *testing.T, db string) map[string]history.Finding {
	t.Helper()
	store, err := history.OpenReadOnly(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	fs, err := store.FindingsNewSince(t.Context(), time.Time{}, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]history.Finding{}
	for _, f := range fs {
		if _, dup := out[f.Fingerprint]; dup {
			t.Errorf("the history has two open rows of finding %s (%s on %s %s/%s)", f.Fingerprint, f.Check, f.Object.Kind,
				f.Object.Namespace, f.Object.Name)
		}
		out[f.Fingerprint] = f
	}
	return out
}

// findingRows reads a findings query of the API, failing the test when a fingerprint has two
// rows.
func findingRows(t *testing.T, url string) map[string]history.Finding {
	t.Helper()
	code, body := get(t, url)
	if code != http.StatusOK {
		t.Fatalf("%s: %d %s", url, code, body)
	}
	var fs []history.Finding
	if err := json.Unmarshal(body, &fs); err != nil {
		t.Fatal(err)
	}
	out := map[string]history.Finding{}
	for _, f := range fs {
		if _, dup := out[f.Fingerprint]; dup {
			t.Errorf("%s: two rows of finding %s", url, f.Fingerprint)
		}
		out[f.Fingerprint] = f
	}
	return out
}

// privilegedIn returns the privileged-container findings of a report by object name, in
// namespace ns.
func privilegedIn(r report.Report, ns string) map[string]report.Finding {
	out := map[string]report.Finding{}
	for _, f := range r.Findings {
		if f.Check == "privileged-container" && f.Object.Namespace == ns {
			out[f.Object.Name] = f
		}
	}
	return out
}

// seedDeployments creates n privileged Deployments web-000… in ns, a few at a time.
func seedDeployments(t *testing.T, cs kubernetes.Interface, ns string, n int) {
	t.Helper()
	if _, err := cs.CoreV1().Namespaces().Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				d := deployment()
				d.Namespace, d.Name = ns, fmt.Sprintf("web-%03d", i)
				if _, err := cs.AppsV1().Deployments(ns).Create(t.Context(), d, metav1.CreateOptions{}); err != nil {
					errs <- err
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
}

func setPrivileged(t *testing.T, cs kubernetes.Interface, ns, name string, privileged bool) {
	t.Helper()
	d, err := cs.AppsV1().Deployments(ns).Get(t.Context(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Spec.Template.Spec.Containers[0].SecurityContext.Privileged = ptr.To(privileged)
	if _, err := cs.AppsV1().Deployments(ns).Update(t.Context(), d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestAuditAPIServerRestart: the API server the audit watches is killed while the audit's
// informers fill their caches from it, and later stopped while the audit runs, the cluster
// changing meanwhile through another API server on the same etcd (the other replica of a
// control plane). Each time the informers resume once it is back on the same URL: every kind
// synced again, the changes made while it was away in the next audit, no finding twice in a
// report nor in the history, /readyz ready.
func TestAuditAPIServerRestart(t *testing.T) {
	const (
		n      = 400
		resync = time.Second
	)
	prefix := "restart-" + suffix()
	kas, err := env.StartAPIServer(prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kas.Stop)
	replica, err := env.StartAPIServer(prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replica.Stop)
	cs, err := kubernetes.NewForConfig(replica.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	seedDeployments(t, cs, "faults", n)
	t0 := time.Now().UTC().Add(-time.Second)

	// 1. Killed while the informers list: as soon as a kind has synced, before all have
	// (caught when the lists take longer than the poll; logged either way).
	s := startFaultAudit(t, auditParams{api: kas, resync: resync, syncWait: 5 * time.Minute})
	unsyncedKinds := func() (unsynced []string, all int) {
		synced := s.cache.Synced()
		for kind, ok := range synced {
			if !ok {
				unsynced = append(unsynced, kind)
			}
		}
		return unsynced, len(synced)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if unsynced, all := unsyncedKinds(); len(unsynced) < all {
			break
		}
	}
	kas.Kill()
	// A list whose answer was on its way when the server died may still complete: judge the
	// kinds still unsynced once those have landed, which cannot sync any more.
	time.Sleep(time.Second)
	unsynced, _ := unsyncedKinds()
	slices.Sort(unsynced)
	if len(unsynced) > 0 {
		t.Logf("kube-apiserver killed with %d of the informers still listing: %v", len(unsynced), unsynced)
		// Unsynced, the server is not ready (before --ready-after) and says which kinds wait.
		if code, body := get(t, s.base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(string(body), unsynced[0]) {
			t.Errorf("/readyz with %v unsynced: %d %s", unsynced, code, body)
		}
		// An add-on kind waiting for discovery has no series yet: judge the first kind that has one.
		for _, kind := range unsynced {
			if v, ok := metric(t, s.base, `akscheck_informer_synced{kind="`+kind+`"}`); ok {
				if v != 0 {
					t.Errorf("akscheck_informer_synced of %s: %v while its informer lists from a dead server", kind, v)
				}
				break
			}
		}
	} else {
		t.Logf("kube-apiserver killed after every informer had synced (the lists of %d Deployments took less than the poll)", n)
	}
	if err := kas.Start(); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	eventually(t, 2*time.Minute, "every informer synced after the restart", func() bool { return allSynced(t, s.base) })
	eventually(t, 3*resync+10*time.Second, "the first audit", func() bool {
		code, _ := get(t, s.base+"/api/v1/reports/latest")
		return code == http.StatusOK
	})
	t.Logf("informers synced and audited %s after kube-apiserver was ready again", time.Since(back).Round(time.Millisecond))
	r := latestReport(t, s.base)
	uniqueFindings(t, r)
	if got := len(privilegedIn(r, "faults")); got != n {
		t.Fatalf("first audit: %d privileged Deployments, want %d", got, n)
	}
	if code, body := get(t, s.base+"/readyz"); code != http.StatusOK || string(body) != "ok\n" {
		t.Errorf("/readyz after the restart: %d %s", code, body)
	}

	// 2. Stopped while the audit runs; the cluster changes through the replica meanwhile:
	// a Deployment fixed, one deleted, one created in a new namespace.
	before := audits(t, s.base)
	kas.Stop()
	down := time.Now().UTC().Add(-time.Second)
	setPrivileged(t, cs, "faults", "web-000", false)
	if err := cs.AppsV1().Deployments("faults").Delete(t.Context(), "web-001", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	seedDeployments(t, cs, "faults-late", 1)
	// The audits go on from the cache as it was, and say that the API server did not answer.
	eventually(t, 3*resync+5*time.Second, "two audits while kube-apiserver is down", func() bool { return audits(t, s.base) >= before+2 })
	r = latestReport(t, s.base)
	if len(r.Errors) == 0 {
		t.Error("an audit while kube-apiserver is down reports no error")
	} else {
		t.Logf("an audit while kube-apiserver is down: %d findings, error %q", len(r.Findings), r.Errors[0].Message)
	}
	if err := kas.Start(); err != nil {
		t.Fatal(err)
	}
	back = time.Now()
	eventually(t, 2*time.Minute, "the changes made while kube-apiserver was down, audited", func() bool {
		r = latestReport(t, s.base)
		faults := privilegedIn(r, "faults")
		_, fixed := faults["web-000"]
		_, deleted := faults["web-001"]
		return !fixed && !deleted && len(faults) == n-2 && len(privilegedIn(r, "faults-late")) == 1 && len(r.Errors) == 0
	})
	t.Logf("changes made while kube-apiserver was down audited %s after it was ready again", time.Since(back).Round(time.Millisecond))
	uniqueFindings(t, r)
	// The report is served from memory before the history records it: wait for the record.
	fixedGone := func() int {
		gone := 0
		for _, f := range findingRows(t, s.base+"/api/v1/findings?limit=1000&fixed-since="+down.Format(time.RFC3339)) {
			if f.Check == "privileged-container" && f.Object.Namespace == "faults" && (f.Object.Name == "web-000" || f.Object.Name == "web-001") {
				gone++
			}
		}
		return gone
	}
	eventually(t, 3*resync+5*time.Second, "web-000 and web-001's privileged findings recorded fixed", func() bool { return fixedGone() == 2 })

	// 3. The watch goes on: a change through the restarted server itself.
	cs2, err := kubernetes.NewForConfig(kas.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	setPrivileged(t, cs2, "faults", "web-002", false)
	eventually(t, 3*resync+5*time.Second, "a change after the restart audited", func() bool {
		_, ok := privilegedIn(latestReport(t, s.base), "faults")["web-002"]
		return !ok
	})
	// The history agrees with the latest report: one open row per fingerprint of it, counting
	// its occurrences once (nothing doubled by the informers' relists), and no other. Read
	// after one more audit of the unchanged cluster, so that both are of the same state.
	last := audits(t, s.base)
	eventually(t, 3*resync+5*time.Second, "one more audit", func() bool { return audits(t, s.base) >= last+2 })
	latest := uniqueFindings(t, latestReport(t, s.base))
	stored := openInHistory(t, s.db)
	for fp, n := range latest {
		if f, ok := stored[fp]; !ok || f.Occurrences != n {
			t.Errorf("finding %s: %d in the latest report, history row %+v", fp, n, f)
		}
	}
	if len(stored) != len(latest) {
		t.Errorf("the history has %d open findings, the latest report %d fingerprints", len(stored), len(latest))
	}
	// The API: one row per fingerprint (the oldest 1000).
	findingRows(t, s.base+"/api/v1/findings?limit=1000&new-since="+t0.Format(time.RFC3339))
	t.Logf("%d findings of %d fingerprints in the latest report, as many open in the history", len(latestReport(t, s.base).Findings), len(latest))
	if !allSynced(t, s.base) {
		t.Error("an informer is unsynced after the restarts")
	}
	if code, body := get(t, s.base+"/readyz"); code != http.StatusOK || string(body) != "ok\n" {
		t.Errorf("/readyz after the restarts: %d %s", code, body)
	}
}

// TestAuditNamespaceDeleted: the findings of the objects of a deleted namespace, and of the
// namespace itself, are fixed by the first audit after the namespace is gone. The harness
// runs kube-controller-manager with only its namespace controller, which empties the
// namespace and finalizes it, as in a real cluster (without it the namespace would stay
// Terminating, its objects in place).
func TestAuditNamespaceDeleted(t *testing.T) {
	ctx := t.Context()
	kcm, err := env.StartControllerManager(api, kubetest.NamespaceController)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kcm.Stop)
	cs, err := kubernetes.NewForConfig(api.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	ns := "faults-gone-" + suffix()
	seedDeployments(t, cs, ns, 2)
	if _, err := cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	const resync = time.Second
	s := startFaultAudit(t, auditParams{api: api, resync: resync, syncWait: 30 * time.Second})
	eventually(t, 60*time.Second, "the namespace's findings", func() bool {
		code, _ := get(t, s.base+"/api/v1/reports/latest")
		return code == http.StatusOK && len(privilegedIn(latestReport(t, s.base), ns)) == 2
	})
	in := func(f history.Finding) bool {
		return f.Object.Namespace == ns || f.Object.Kind == "Namespace" && f.Object.Name == ns
	}
	// The report is served from memory before the history records it: wait for the record.
	var open map[string]history.Finding
	kinds := map[string]bool{}
	eventually(t, 10*resync+5*time.Second, "the namespace's findings recorded", func() bool {
		open, kinds = map[string]history.Finding{}, map[string]bool{}
		for fp, f := range openInHistory(t, s.db) {
			if in(f) {
				open[fp] = f
				kinds[f.Object.Kind] = true
			}
		}
		return kinds["Deployment"] && kinds["Service"]
	})
	if _, ok := metric(t, s.base, `akscheck_findings{check="privileged-container",namespace="`+ns+`",severity="critical"}`); !ok {
		t.Errorf("/metrics has no privileged-container finding in %s", ns)
	}

	deleted := time.Now().UTC()
	if err := cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 2*time.Minute, "the namespace controller removing the namespace", func() bool {
		_, err := cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		return apierrors.IsNotFound(err)
	})
	t.Logf("namespace %s with %d open findings gone %s after its deletion", ns, len(open), time.Since(deleted).Round(time.Millisecond))
	var fixed map[string]history.Finding
	eventually(t, 3*resync+5*time.Second, "the namespace's findings fixed", func() bool {
		fixed = findingRows(t, s.base+"/api/v1/findings?limit=1000&fixed-since="+deleted.Add(-time.Second).Format(time.RFC3339))
		for fp := range open {
			if _, ok := fixed[fp]; !ok {
				return false
			}
		}
		return true
	})
	for fp, was := range open {
		f := fixed[fp]
		if f.FixedAt == nil || f.FixedAt.Before(deleted.Add(-time.Second)) || !f.FirstSeen.Equal(was.FirstSeen) || f.LastSeen.After(*f.FixedAt) {
			t.Errorf("%s on %s %s/%s: first seen %s (was %s), last seen %s, fixed at %v (deleted %s)", f.Check, f.Object.Kind,
				f.Object.Namespace, f.Object.Name, f.FirstSeen, was.FirstSeen, f.LastSeen, f.FixedAt, deleted)
		}
	}
	for fp, f := range openInHistory(t, s.db) {
		if in(f) {
			t.Errorf("finding %s (%s on %s %s) still open", fp, f.Check, f.Object.Kind, f.Object.Name)
		}
	}
	for _, f := range latestReport(t, s.base).Findings {
		if f.Object.Namespace == ns {
			t.Errorf("the latest report still has %s on %s %s/%s", f.Check, f.Object.Kind, ns, f.Object.Name)
		}
	}
	_, body := get(t, s.base+"/metrics")
	if strings.Contains(string(body), `namespace="`+ns+`"`) {
		t.Errorf("/metrics still has findings in %s:\n%s", ns, grep(string(body), "akscheck_findings{"))
	}
}

// TestAuditPostgresGoesAway: the PostgreSQL history goes away while the audit runs and comes
// back on the same data. Meanwhile the audits go on, served from memory (the API's latest
// report, the dashboard), kept pending, the outage in /readyz and the metrics; a Deployment
// created during the outage is found by them. When PostgreSQL is back, every audit completed
// during the outage is stored, in order, none lost; the finding's first-seen time is the
// outage audit's; its Event, which the outage held back, is published once (the catch-up's
// Events); the API and the dashboard read the history again.
func TestAuditPostgresGoesAway(t *testing.T) {
	ctx := t.Context()
	pg := pgtest.Require(t, func() (*pgtest.Server, error) { return pgtest.Start(ctx) })
	t.Cleanup(pg.Stop) // after the database is dropped
	url := pg.Database(t)
	cs, err := kubernetes.NewForConfig(api.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	ns := "faults-pg-" + suffix()
	// 1.5 s apart, the audits' reports (dated to the second) are told apart by their date.
	const resync = 1500 * time.Millisecond
	t0 := time.Now().UTC().Add(-time.Second)
	s := startFaultAudit(t, auditParams{api: api, resync: resync, syncWait: 30 * time.Second,
		open: func(ctx context.Context) (*history.Store, error) { return history.OpenURL(ctx, url) },
		events: func(*kubernetes.Clientset) *audit.Events {
			return &audit.Events{Client: cs.EventsV1(), Instance: "akscheck-" + ns}
		}})
	eventually(t, 60*time.Second, "an audit stored in PostgreSQL", func() bool {
		code, body := get(t, s.base+"/api/v1/reports?since="+t0.Format(time.RFC3339))
		return code == http.StatusOK && strings.HasPrefix(string(body), "[{")
	})

	pg.Shutdown()
	down := time.Now()
	seedDeployments(t, cs, ns, 1)
	// The audits completed during the outage, by their date, as the API serves them from
	// memory.
	var during []string
	eventually(t, 10*resync+10*time.Second, "audits during the outage that see the new Deployment", func() bool {
		r := latestReport(t, s.base)
		if len(during) == 0 || during[len(during)-1] != r.GeneratedAt {
			during = append(during, r.GeneratedAt)
		}
		pending, _ := metric(t, s.base, "akscheck_audits_pending")
		return len(privilegedIn(r, ns)) == 1 && pending >= 3
	})
	if code, body := get(t, s.base+"/readyz"); code != http.StatusOK || !strings.HasPrefix(string(body), "ok; degraded: ") {
		t.Errorf("/readyz during the outage: %d %s", code, body)
	}
	if v := metricValue(t, s.base, "akscheck_history_available"); v != 0 {
		t.Errorf("akscheck_history_available during the outage: %v", v)
	}
	if v := metricValue(t, s.base, `akscheck_audit_errors_total{stage="store"}`); v < 1 {
		t.Errorf("no store error counted during the outage: %v", v)
	}
	if code, body := get(t, s.base+"/api/v1/findings?new-since="+t0.Format(time.RFC3339)); code != http.StatusServiceUnavailable {
		t.Errorf("findings during the outage: %d %s", code, body)
	}
	if code, body := get(t, s.base+"/"); code != http.StatusOK || !strings.Contains(string(body), `id="history-unavailable"`) ||
		!strings.Contains(string(body), `id="h-scorecard"`) {
		t.Errorf("dashboard during the outage: %d %.300s", code, body)
	}
	if evs := findingEvents(t, cs, ns); len(evs) != 0 {
		t.Errorf("%d Events published before the audit that saw their finding was stored", len(evs))
	}

	back := time.Now()
	if err := pg.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "the pending audits stored", func() bool {
		pending, _ := metric(t, s.base, "akscheck_audits_pending")
		code, body := get(t, s.base+"/readyz")
		return pending == 0 && code == http.StatusOK && string(body) == "ok\n"
	})
	t.Logf("PostgreSQL down %s, %d audits during the outage stored %s after it was back", back.Sub(down).Round(time.Millisecond),
		len(during), time.Since(back).Round(time.Millisecond))
	if v := metricValue(t, s.base, "akscheck_history_available"); v != 1 {
		t.Errorf("akscheck_history_available after the outage: %v", v)
	}
	if v := metricValue(t, s.base, "akscheck_audits_dropped_total"); v != 0 {
		t.Errorf("%v audits dropped", v)
	}
	done := audits(t, s.base)
	code, body := get(t, s.base+"/api/v1/reports?since="+t0.Format(time.RFC3339)+"&limit=1000")
	var reports []report.Report
	if code != http.StatusOK || json.Unmarshal(body, &reports) != nil {
		t.Fatalf("history after the outage: %d %.300s", code, body)
	}
	var stored []string
	for _, r := range reports {
		stored = append(stored, r.GeneratedAt)
	}
	if !slices.IsSorted(stored) || len(slices.Compact(slices.Clone(stored))) != len(stored) {
		t.Errorf("stored audits out of order or twice: %v", stored)
	}
	for _, g := range during {
		if _, ok := slices.BinarySearch(stored, g); !ok {
			t.Errorf("the audit of %s, completed during the outage, is not in the history: %v", g, stored)
		}
	}
	// Every audit counted is stored, but the one that may be running now.
	if float64(len(stored)) < done-1 {
		t.Errorf("%d audits stored of %v completed", len(stored), done)
	}

	var fp string
	// New since the outage began: the cluster's other findings are older.
	for _, f := range findingRows(t, s.base+"/api/v1/findings?limit=1000&new-since="+down.Add(-time.Second).UTC().Format(time.RFC3339Nano)) {
		if f.Check == "privileged-container" && f.Object.Namespace == ns {
			fp = f.Fingerprint
			if !f.FirstSeen.Before(back) || f.FirstSeen.Before(down.Add(-time.Second)) {
				t.Errorf("first seen %s: not during the outage (%s to %s)", f.FirstSeen, down, back)
			}
		}
	}
	if fp == "" {
		t.Fatal("the Deployment created during the outage has no open finding in the history")
	}
	// Its Event: published after the catch-up, once, and not again by later audits.
	var privileged int
	eventually(t, 10*time.Second, "the Event of the finding seen during the outage", func() bool {
		privileged = 0
		for _, ev := range findingEvents(t, cs, ns) {
			if strings.HasPrefix(ev.Note, "privileged-container (") && ev.Regarding.Name == "web-000" {
				privileged++
			}
		}
		return privileged > 0
	})
	before := audits(t, s.base)
	eventually(t, 3*resync+5*time.Second, "two more audits", func() bool { return audits(t, s.base) >= before+2 })
	privileged = 0
	for _, ev := range findingEvents(t, cs, ns) {
		if strings.HasPrefix(ev.Note, "privileged-container (") {
			privileged++
		}
	}
	if privileged != 1 {
		t.Errorf("%d privileged-container Events in %s, want 1", privileged, ns)
	}
	if code, body := get(t, s.base+"/"); code != http.StatusOK || strings.Contains(string(body), `id="history-unavailable"`) ||
		!strings.Contains(string(body), `id="h-trend"`) {
		t.Errorf("dashboard after the outage: %d %.300s", code, body)
	}
}
