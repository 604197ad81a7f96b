//go:build integration

package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/akscheck/akscheck/internal/audit"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/config"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/history"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil/kubetest"
)

// perNamespace is how many objects seedAuditScale creates in each namespace (the Namespace
// included); benchDeployments of them are Deployments.
const (
	perNamespace     = 100
	benchDeployments = 12
	benchNodes       = 50
)

// TestAuditScale is the audit's scale benchmark (make bench-audit, docs/audit.md): it seeds
// a real API server of its own with AKSCHECK_AUDIT_SCALE objects (30000: 300 namespaces of
// 100 objects each, and 50 Nodes), runs the real Auditor on the real live.Cache with the
// default options (but a resync longer than the test) and logs the load time, the first
// audit, ClusterScan and NewIndexOf apart, the heap in use after the first audit, the peak
// RSS, the CPU used while nothing changes (AKSCHECK_AUDIT_IDLE, default 30s), and for
// AKSCHECK_AUDIT_CHANGES (default 5) single Deployment updates, Debounce apart, each the time
// from the update to the report that holds its finding (through the informer, the debounce
// and the audit) and the audit's own time (reading the cache, indexing and evaluating), with
// how many subjects it evaluated; then scan.Evaluate alone on the cache's scan, full and
// after a change in one namespace.
// AKSCHECK_AUDIT_CPUPROFILE=file writes a CPU profile of those last two parts. It asserts
// no timing: its figures are quoted in docs/audit.md.
func TestAuditScale(t *testing.T) {
	scale := os.Getenv("AKSCHECK_AUDIT_SCALE")
	if scale == "" {
		t.Skip("set AKSCHECK_AUDIT_SCALE=30000 to seed that many objects and measure the audit (make bench-audit)")
	}
	objects, err := strconv.Atoi(scale)
	if err != nil || objects < perNamespace {
		t.Fatalf("AKSCHECK_AUDIT_SCALE=%q: want a number of objects, at least %d", scale, perNamespace)
	}
	idle := envDuration(t, "AKSCHECK_AUDIT_IDLE", 30*time.Second)
	changes := 5
	if v := os.Getenv("AKSCHECK_AUDIT_CHANGES"); v != "" {
		if changes, err = strconv.Atoi(v); err != nil || changes < 1 {
			t.Fatalf("AKSCHECK_AUDIT_CHANGES=%q: want a positive number", v)
		}
	}
	namespaces := objects / perNamespace

	srv, err := env.StartAPIServer("auditscale")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	cfg := srv.Config(kubetest.AdminToken)
	began := time.Now()
	created, err := seedAuditScale(t.Context(), cfg, namespaces)
	if err != nil {
		t.Fatalf("seeding: %v\n%s", err, srv.Tail())
	}
	load := time.Since(began)
	t.Logf("loaded %d objects (%d namespaces of %d objects, %d Nodes) in %s (%.0f objects/s, 32 writers, client QPS %.0f)",
		created, namespaces, perNamespace, benchNodes, load.Round(time.Second), float64(created)/load.Seconds(), cfg.QPS)

	resolved, err := config.Default().Resolve(catalog.MustLoad(), checks.All())
	if err != nil {
		t.Fatal(err)
	}
	cache, err := live.NewCache(cfg, audit.Kinds(resolved.Checks), 0, check.StatusReaders(resolved.Checks))
	if err != nil {
		t.Fatal(err)
	}
	store, err := history.Open(t.Context(), filepath.Join(t.TempDir(), "akscheck-history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	logs := newAuditLog()
	a, err := audit.New(audit.Options{Scan: scan.Request{Catalog: resolved.Catalog, Checks: resolved.Checks,
		Settings: resolved.Settings, Policy: resolved.Policy, Version: "bench"}, Cluster: cache, Store: store,
		Context: "auditscale", Server: cfg.Host, Version: func(ctx context.Context) (string, error) { return live.ServerVersion(ctx, cfg) },
		Resync: 24 * time.Hour, SyncWait: 10 * time.Minute, Log: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := cache.OnChange(a.Changed); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	started := time.Now()
	wg.Go(func() { cache.Run(ctx) })
	wg.Go(func() { _ = a.Run(ctx) })
	first := logs.next(t, 15*time.Minute)
	t.Logf("first audit: report %s after the start (cache sync included); the audit itself %s: %s objects, %s findings, %s subjects evaluated",
		time.Since(started).Round(10*time.Millisecond), first.duration, first.get("objects"), first.get("findings"), first.get("evaluated"))
	// The test process's peak RSS counts the seeding client; the heap after a collection is
	// what the cache and the audit keep.
	var mem runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&mem)
	t.Logf("heap in use after the first audit and a collection (the cache, the audit's memory of outcomes): %.0f MiB",
		float64(mem.HeapInuse)/(1<<20))

	// The parts of an audit before the engine, measured apart.
	t0 := time.Now()
	s := cache.ClusterScan("auditscale", cfg.Host, "v1.37.2")
	scanTime := time.Since(t0)
	t0 = time.Now()
	ix := subject.NewIndexOf(s)
	t.Logf("ClusterScan of %d objects: %s; NewIndexOf: %s (%d workloads)", len(s.Objects), scanTime.Round(time.Millisecond),
		time.Since(t0).Round(time.Millisecond), len(ix.Workloads()))
	runtime.KeepAlive(ix)

	cpu0 := cpuTime()
	time.Sleep(idle)
	used := cpuTime() - cpu0
	t.Logf("idle: %.2f CPU s over %s (%.2f%% of one core): informers, no audit", used.Seconds(), idle, 100*used.Seconds()/idle.Seconds())

	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if path := os.Getenv("AKSCHECK_AUDIT_CPUPROFILE"); path != "" {
		// The changes and the evaluations alone, for go tool pprof.
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	for i := range changes {
		if i > 0 {
			// An isolated change: audits are at least Debounce apart (the idle time before
			// the first change is one).
			time.Sleep(audit.DefaultDebounce)
		}
		ns, name := benchNamespace((i*37+11)%namespaces), fmt.Sprintf("app-%02d", i%benchDeployments)
		d, err := cs.AppsV1().Deployments(ns).Get(t.Context(), name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		d.Spec.Template.Spec.Containers[0].SecurityContext.Privileged = ptr.To(true)
		d.Spec.Template.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = ptr.To(true)
		logs.drain()
		t0 := time.Now()
		if _, err := cs.AppsV1().Deployments(ns).Update(t.Context(), d, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		deadline := t0.Add(5 * time.Minute)
		for !hasFinding(a.Latest(), "privileged-container", ns, name) {
			if time.Now().After(deadline) {
				t.Fatalf("no privileged-container finding on %s/%s within 5 minutes", ns, name)
			}
			time.Sleep(2 * time.Millisecond)
		}
		e2e := time.Since(t0)
		rec := logs.next(t, time.Minute)
		t.Logf("change %d (Deployment %s/%s made privileged): in the report %s after the update; the audit itself %s (%s of %s subjects evaluated, incremental=%s)",
			i+1, ns, name, e2e.Round(time.Millisecond), rec.duration, rec.get("evaluated"), rec.get("subjects"), rec.get("incremental"))
	}
	peak := vmHWM(t)
	// The engine alone on the cache's scan (the index included): a full evaluation that
	// fills a memo, then one that re-evaluates one namespace.
	req := scan.Request{Catalog: resolved.Catalog, Checks: resolved.Checks, Settings: resolved.Settings,
		Policy: resolved.Policy, Version: "bench", Memo: &engine.Memo{}}
	for range 3 {
		s = cache.ClusterScan("auditscale", cfg.Host, "v1.37.2")
		req.Dirty = nil
		t0 = time.Now()
		scan.Evaluate(ctx, req, s)
		full := time.Since(t0)
		var ch engine.Changes
		ch.Add("Deployment", benchNamespace(11))
		req.Dirty = ch.Dirty
		t0 = time.Now()
		scan.Evaluate(ctx, req, s)
		st := req.Memo.Stats()
		t.Logf("evaluation alone (scan.Evaluate, index included): full %s; one namespace %s (%d of %d subjects evaluated)",
			full.Round(time.Millisecond), time.Since(t0).Round(time.Millisecond), st.Evaluated, st.Subjects)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("peak RSS before the evaluations alone (VmHWM of the test process: the audit, its cache, and the seeding client): %d MiB; Go heap in use now: %d MiB",
		peak/1024, ms.HeapInuse>>20)
}

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("%s=%q: want a positive duration", name, v)
	}
	return d
}

func hasFinding(r *report.Report, check, ns, name string) bool {
	if r == nil {
		return false
	}
	for _, f := range r.Findings {
		if f.Check == check && f.Object.Kind == "Deployment" && f.Object.Namespace == ns && f.Object.Name == name {
			return true
		}
	}
	return false
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// vmHWM is the peak resident set size of the process in KiB (/proc/self/status).
func vmHWM(t *testing.T) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}

// auditLog reads the auditor's JSON log and hands on each completed audit's line.
type auditLog struct {
	w       *io.PipeWriter
	records chan auditRecord
}

type auditRecord struct {
	fields   map[string]any
	duration string
}

func (r auditRecord) get(key string) string {
	v, ok := r.fields[key]
	if !ok {
		return "-"
	}
	return fmt.Sprint(v)
}

func newAuditLog() *auditLog {
	r, w := io.Pipe()
	l := &auditLog{w: w, records: make(chan auditRecord, 100)}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				continue
			}
			if msg, _ := m["msg"].(string); msg == "audit stored" || strings.HasPrefix(msg, "audit kept in memory") {
				d, _ := m["duration"].(string)
				l.records <- auditRecord{fields: m, duration: d}
			}
		}
	}()
	return l
}

func (l *auditLog) Write(p []byte) (int, error) { return l.w.Write(p) }

func (l *auditLog) next(t *testing.T, limit time.Duration) auditRecord {
	t.Helper()
	select {
	case r := <-l.records:
		return r
	case <-time.After(limit):
		t.Fatalf("no audit within %s", limit)
		return auditRecord{}
	}
}

func (l *auditLog) drain() {
	for {
		select {
		case <-l.records:
		default:
			return
		}
	}
}

func benchNamespace(i int) string { return fmt.Sprintf("bench-%03d", i) }

// seedAuditScale creates namespaces namespaces of perNamespace objects each, a realistic
// mix of an application estate (the Namespace; 12 Deployments, each with its ReplicaSet and
// 2 Pods; 10 Services; 12 ConfigMaps; 8 Secrets; 5 ServiceAccounts; 2 NetworkPolicies; 4
// PodDisruptionBudgets; 4 HorizontalPodAutoscalers; a Role and its RoleBinding; a
// ResourceQuota and a LimitRange; a StatefulSet; an Ingress), and benchNodes Nodes, with 32
// writers; it returns how many objects it created.
func seedAuditScale(ctx context.Context, cfg *rest.Config, namespaces int) (int, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return 0, err
	}
	var created atomic.Int64
	var firstErr error
	var once sync.Once
	run := func(jobs func(submit func(func() error))) {
		ch := make(chan func() error, 256)
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				for job := range ch {
					if err := job(); err != nil {
						once.Do(func() { firstErr = err })
					}
				}
			})
		}
		jobs(func(f func() error) { ch <- f })
		close(ch)
		wg.Wait()
	}
	opts := metav1.CreateOptions{}
	count := func(err error) error {
		if err == nil {
			created.Add(1)
		}
		return err
	}
	run(func(submit func(func() error)) {
		for i := range namespaces {
			submit(func() error {
				_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: benchNamespace(i),
					Labels: map[string]string{"team": fmt.Sprintf("t%d", i%17)}}}, opts)
				return count(err)
			})
		}
		for i := range benchNodes {
			submit(func() error {
				n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("aks-pool%d-1234567-vmss%06d", i%3, i), Labels: map[string]string{
					"kubernetes.azure.com/agentpool": fmt.Sprintf("pool%d", i%3), "kubernetes.azure.com/mode": map[bool]string{true: "system", false: "user"}[i%3 == 0],
					"kubernetes.io/os": "linux", "topology.kubernetes.io/zone": fmt.Sprintf("westeurope-%d", 1+i%3),
					"kubernetes.azure.com/node-image-version": "AKSUbuntu-2204gen2containerd-" + time.Now().Add(-10*24*time.Hour).UTC().Format("200601.02") + ".0"}},
					Status: corev1.NodeStatus{NodeInfo: corev1.NodeSystemInfo{KubeletVersion: "v1.37.2", OSImage: "Ubuntu 22.04.5 LTS", OperatingSystem: "linux", Architecture: "amd64"},
						Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3860m"), corev1.ResourceMemory: resource.MustParse("12Gi"), corev1.ResourcePods: resource.MustParse("110")}}}
				_, err := cs.CoreV1().Nodes().Create(ctx, n, opts)
				return count(err)
			})
		}
	})
	if firstErr != nil {
		return 0, firstErr
	}
	run(func(submit func(func() error)) {
		for i := range namespaces {
			ns := benchNamespace(i)
			for d := range benchDeployments {
				submit(func() error { return seedBenchDeployment(ctx, cs, ns, d, &created) })
			}
			for j := range 10 {
				submit(func() error {
					_, err := cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("app-%02d", j)},
						Spec: corev1.ServiceSpec{Selector: map[string]string{"app": fmt.Sprintf("app-%02d", j)},
							Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}, opts)
					return count(err)
				})
			}
			for j := range 12 {
				submit(func() error {
					_, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("config-%02d", j)},
						Data: map[string]string{"app.properties": strings.Repeat("feature.flag=true\n", 20)}}, opts)
					return count(err)
				})
			}
			for j := range 8 {
				submit(func() error {
					_, err := cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("secret-%02d", j)},
						Data: map[string][]byte{"password": []byte(strings.Repeat("x", 32))}}, opts)
					return count(err)
				})
			}
			for j := range 5 {
				submit(func() error {
					_, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("app-%02d", j)},
						AutomountServiceAccountToken: ptr.To(false)}, opts)
					return count(err)
				})
			}
			submit(func() error {
				_, err := cs.NetworkingV1().NetworkPolicies(ns).Create(ctx, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default-deny"},
					Spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}}}, opts)
				if err := count(err); err != nil {
					return err
				}
				_, err = cs.NetworkingV1().NetworkPolicies(ns).Create(ctx, &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "allow-web"},
					Spec: networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"tier": "web"}},
						Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}}}}}, opts)
				return count(err)
			})
			for j := range 4 {
				submit(func() error {
					_, err := cs.PolicyV1().PodDisruptionBudgets(ns).Create(ctx, &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("app-%02d", j)},
						Spec: policyv1.PodDisruptionBudgetSpec{MaxUnavailable: ptr.To(intstr.FromInt32(1)),
							Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprintf("app-%02d", j)}}}}, opts)
					return count(err)
				})
				submit(func() error {
					_, err := cs.AutoscalingV2().HorizontalPodAutoscalers(ns).Create(ctx, &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("app-%02d", j)},
						Spec: autoscalingv2.HorizontalPodAutoscalerSpec{ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: fmt.Sprintf("app-%02d", j)},
							MinReplicas: ptr.To[int32](2), MaxReplicas: 6, Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType,
								Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](70)}}}}}}, opts)
					return count(err)
				})
			}
			submit(func() error {
				_, err := cs.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "reader"},
					Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list"}}}}, opts)
				if err := count(err); err != nil {
					return err
				}
				_, err = cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "reader"},
					RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "reader"},
					Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: "app-00", Namespace: ns}}}, opts)
				return count(err)
			})
			submit(func() error {
				_, err := cs.CoreV1().ResourceQuotas(ns).Create(ctx, &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "compute"},
					Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourceRequestsCPU: resource.MustParse("20"), corev1.ResourceLimitsMemory: resource.MustParse("60Gi")}}}, opts)
				if err := count(err); err != nil {
					return err
				}
				_, err = cs.CoreV1().LimitRanges(ns).Create(ctx, &corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "defaults"},
					Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer,
						Default: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}}}}}, opts)
				return count(err)
			})
			submit(func() error {
				labels := map[string]string{"app": "db"}
				_, err := cs.AppsV1().StatefulSets(ns).Create(ctx, &appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db"},
					Spec: appsv1.StatefulSetSpec{Replicas: ptr.To[int32](3), ServiceName: "db", Selector: &metav1.LabelSelector{MatchLabels: labels},
						Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
							Spec: corev1.PodSpec{Containers: []corev1.Container{benchContainer("db", "postgres:16.4", 0)}}}}}, opts)
				if err := count(err); err != nil {
					return err
				}
				_, err = cs.NetworkingV1().Ingresses(ns).Create(ctx, &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Name: "web"},
					Spec: networkingv1.IngressSpec{TLS: []networkingv1.IngressTLS{{Hosts: []string{ns + ".example.com"}, SecretName: "secret-00"}},
						Rules: []networkingv1.IngressRule{{Host: ns + ".example.com", IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{
							Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: ptr.To(networkingv1.PathTypePrefix),
								Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "app-00", Port: networkingv1.ServiceBackendPort{Number: 80}}}}}}}}}}}, opts)
				return count(err)
			})
		}
	})
	return int(created.Load()), firstErr
}

// seedBenchDeployment creates Deployment app-NN with the ReplicaSet its controller would make
// and 2 Pods (there is no controller manager).
func seedBenchDeployment(ctx context.Context, cs kubernetes.Interface, ns string, i int, created *atomic.Int64) error {
	name := fmt.Sprintf("app-%02d", i)
	labels := map[string]string{"app": name, "app.kubernetes.io/name": name}
	if i%3 == 0 {
		labels["tier"] = "web"
	}
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](2), Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{ServiceAccountName: fmt.Sprintf("app-%02d", i%5), AutomountServiceAccountToken: ptr.To(false),
					Containers: []corev1.Container{benchContainer(name, fmt.Sprintf("acme.azurecr.io/team/app%d:1.%d.0", i, i%4), i)}}}}}
	d, err := cs.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	created.Add(1)
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: name + "-7c9d5b8f4", Namespace: ns, Labels: labels,
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: name, UID: d.UID, Controller: ptr.To(true)}}},
		Spec: appsv1.ReplicaSetSpec{Replicas: d.Spec.Replicas, Selector: d.Spec.Selector, Template: d.Spec.Template}}
	rs, err = cs.AppsV1().ReplicaSets(ns).Create(ctx, rs, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	created.Add(1)
	for p := range 2 {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-%05d", rs.Name, p), Namespace: ns, Labels: labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: ptr.To(true)}}},
			Spec: *rs.Spec.Template.Spec.DeepCopy()}
		pod.Spec.NodeName = fmt.Sprintf("aks-pool%d-1234567-vmss%06d", (i+p)%3, (i*2+p)%benchNodes)
		if _, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			return err
		}
		created.Add(1)
	}
	return nil
}

// benchContainer is a container that passes most checks; some lack probes.
func benchContainer(name, image string, i int) corev1.Container {
	c := corev1.Container{Name: name, Image: image, ImagePullPolicy: corev1.PullIfNotPresent,
		Env: []corev1.EnvVar{{Name: "MODE", Value: "production"}, {Name: "REPLICA", Value: strconv.Itoa(i)}},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")}},
		SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false), RunAsNonRoot: ptr.To(true),
			ReadOnlyRootFilesystem: ptr.To(true), Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}}}
	if i%4 != 0 {
		c.LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}}
		c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8080)}}}
	}
	return c
}
