//go:build integration

package integration

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil/kubetest"
)

// TestAuditIncremental: after the first (full) audit, one Deployment made privileged is
// audited incrementally: the finding appears, the metrics and the log say the audit was
// incremental and evaluated fewer subjects than the cluster has (the engine's tests prove
// its report equals a full audit's).
func TestAuditIncremental(t *testing.T) {
	ctx := t.Context()
	cs, err := kubernetes.NewForConfig(api.Config(kubetest.AdminToken))
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{"incr-shop", "incr-other"} {
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		d := deployment()
		d.Namespace = ns
		d.Spec.Template.Spec.Containers[0].SecurityContext.Privileged = ptr.To(false)
		if _, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	const debounce = time.Second
	var logs syncBuffer
	s := startAuditWith(t, auditParams{token: kubetest.AdminToken, resync: time.Hour, debounce: debounce, syncWait: 30 * time.Second, logs: &logs})
	eventually(t, 60*time.Second, "the first audit", func() bool { return auditsDone(t, s.base) >= 1 })
	subjects := metricValue(t, s.base, "akscheck_audit_subjects")
	if ev := metricValue(t, s.base, "akscheck_audit_subjects_evaluated"); ev != subjects || subjects == 0 {
		t.Fatalf("the first audit evaluated %v of %v subjects: want all", ev, subjects)
	}
	// Past the debounce since that audit: a change is audited incrementally at once.
	time.Sleep(debounce)

	d, err := cs.AppsV1().Deployments("incr-shop").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Spec.Template.Spec.Containers[0].SecurityContext.Privileged = ptr.To(true)
	updated := time.Now()
	if _, err := cs.AppsV1().Deployments("incr-shop").Update(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	latest := func() report.Report {
		_, body := get(t, s.base+"/api/v1/reports/latest")
		var r report.Report
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	found := func(r report.Report) bool {
		for _, f := range r.Findings {
			if f.Check == "privileged-container" && f.Object.Namespace == "incr-shop" && f.Object.Name == "web" {
				return true
			}
		}
		return false
	}
	var inc report.Report
	eventually(t, 30*time.Second, "the change audited", func() bool { inc = latest(); return found(inc) })
	t.Logf("change audited %s after the update", time.Since(updated).Round(time.Millisecond))
	if n := metricValue(t, s.base, "akscheck_audits_incremental_total"); n < 1 {
		t.Fatalf("akscheck_audits_incremental_total %v after a change in one namespace", n)
	}
	evaluated, subjects := metricValue(t, s.base, "akscheck_audit_subjects_evaluated"), metricValue(t, s.base, "akscheck_audit_subjects")
	if evaluated == 0 || evaluated >= subjects {
		t.Fatalf("the incremental audit evaluated %v of %v subjects", evaluated, subjects)
	}
	t.Logf("the incremental audit evaluated %v of %v subjects", evaluated, subjects)
	var logged bool
	for _, l := range strings.Split(logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "audit stored" && m["incremental"] == true && m["evaluated"] == evaluated {
			logged = true
		}
	}
	if !logged {
		t.Errorf("no log line of an incremental audit that evaluated %v subjects:\n%s", evaluated, logs.String())
	}
}
