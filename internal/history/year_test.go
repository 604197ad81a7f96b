package history

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
)

// largeEstate generates a cluster of about n objects as one YAML stream over n/100
// namespaces, with the mix and the lapses of a real estate: each namespace has its
// Namespace and, in most of them, a default-deny policy, a quota and a limit range; then
// Deployments (with their ReplicaSet and Pods, and Services, autoscalers and disruption
// budgets), StatefulSets, CronJobs,
// a few DaemonSets, ConfigMaps, Secrets and ServiceAccounts. Some workloads lack probes,
// limits, a non-root user or a pinned image, run one replica, or are privileged; the
// proportions are fixed by the object's index, so the estate is the same at every run.
func largeEstate(n int) []byte {
	var b strings.Builder
	namespaces := max(n/100, 1)
	objects := 0
	emit := func(format string, args ...any) {
		b.WriteString("---\n")
		fmt.Fprintf(&b, format, args...)
		objects++
	}
	for ns := range namespaces {
		name := fmt.Sprintf("team-%03d", ns)
		labels := "{team: t" + fmt.Sprint(ns%17) + ", app.kubernetes.io/part-of: shop}"
		if ns%9 == 0 {
			labels = "{}"
		}
		emit("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s, labels: %s}\n", name, labels)
		if ns%3 != 0 {
			emit("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: %s}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n", name)
		}
		if ns%2 == 0 {
			emit("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: compute, namespace: %s}\nspec: {hard: {requests.cpu: \"20\", requests.memory: 40Gi, limits.memory: 60Gi}}\n", name)
			emit("apiVersion: v1\nkind: LimitRange\nmetadata: {name: defaults, namespace: %s}\nspec: {limits: [{type: Container, default: {memory: 256Mi}, defaultRequest: {cpu: 100m, memory: 128Mi}}]}\n", name)
		}
	}
	for i := 0; objects < n; i++ {
		ns := fmt.Sprintf("team-%03d", i%namespaces)
		name := fmt.Sprintf("app-%05d", i)
		switch i % 20 {
		case 0, 1, 2, 3, 4, 5, 6:
			replicas := 2 + i%3
			if i%4 == 0 {
				replicas = 1
			}
			emit("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  namespace: %s\n  labels: {app.kubernetes.io/name: %s}\nspec:\n  replicas: %d\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata:\n      labels: {app: %s}\n    spec:\n%s      containers:\n%s",
				name, ns, name, replicas, name, name, podSecurity(i), containers(i, "      "))
			// Its ReplicaSet and Pods, as a cluster holds them: judged at the Deployment
			// (their controller), they are objects of the cluster, not subjects.
			rs := name + "-5d4f8c7b9"
			emit("apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: %s\n  namespace: %s\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: %s, uid: u-%d, controller: true}]\nspec:\n  replicas: %d\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata:\n      labels: {app: %s}\n    spec:\n%s      containers:\n%s",
				rs, ns, name, i, replicas, name, name, podSecurity(i), containers(i, "      "))
			for p := range replicas {
				emit("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s-%d\n  namespace: %s\n  labels: {app: %s}\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: %s, uid: r-%d, controller: true}]\nspec:\n%s  containers:\n%s",
					rs, p, ns, name, rs, i, strings.ReplaceAll(podSecurity(i), "      securityContext", "  securityContext"), containers(i, "  "))
			}
			switch i % 7 {
			case 0, 1, 2:
				emit("apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {app: %s}\n  ports: [{port: 80, targetPort: 8080}]\n", name, ns, name)
			case 3:
				emit("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: %s, namespace: %s}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: %s}}\n", name, ns, name)
			case 4:
				emit("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: %s, namespace: %s}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}\n  minReplicas: 2\n  maxReplicas: 6\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]\n", name, ns, name)
			}
		case 7:
			emit("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: %s, namespace: %s}\nspec:\n  replicas: 3\n  serviceName: %s\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata: {labels: {app: %s}}\n    spec:\n%s      containers:\n%s",
				name, ns, name, name, name, podSecurity(i), containers(i, "      "))
		case 8:
			if i%100 == 8 {
				emit("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata: {labels: {app: %s}}\n    spec:\n      hostNetwork: true\n      containers:\n%s",
					name, ns, name, name, containers(i, "      "))
			} else {
				emit("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: %s, namespace: %s}\nspec:\n  schedule: \"*/30 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n%s",
					name, ns, containers(i, "          "))
			}
		case 9, 10, 11, 12, 13:
			emit("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s, namespace: %s}\ndata: {app.properties: \"feature.flag=true\"}\n", name, ns)
		case 14, 15, 16:
			emit("apiVersion: v1\nkind: Secret\nmetadata: {name: %s, namespace: %s}\ntype: Opaque\ndata: {token: c2VjcmV0}\n", name, ns)
		default:
			emit("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: %s, namespace: %s}\n", name, ns)
		}
	}
	return []byte(b.String())
}

func podSecurity(i int) string {
	if i%6 == 0 {
		return "" // no pod security context at all
	}
	return "      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n"
}

func containers(i int, indent string) string {
	var b strings.Builder
	for c := 0; c <= i%2; c++ {
		image := fmt.Sprintf("contosoacr.azurecr.io/team/app%d:1.%d.0", i%50, c)
		if i%13 == 0 {
			image = "docker.io/library/nginx:latest"
		}
		fmt.Fprintf(&b, "%s- name: c%d\n%s  image: %s\n", indent, c, indent, image)
		if i%7 != 0 {
			fmt.Fprintf(&b, "%s  resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}\n", indent)
		}
		if i%5 != 0 {
			fmt.Fprintf(&b, "%s  livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 10}\n", indent)
			fmt.Fprintf(&b, "%s  readinessProbe: {httpGet: {path: /ready, port: 8080}}\n", indent)
		}
		switch {
		case i%97 == 0:
			fmt.Fprintf(&b, "%s  securityContext: {privileged: true}\n", indent)
		case i%11 != 0:
			fmt.Fprintf(&b, "%s  securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n", indent)
		}
	}
	return b.String()
}

// churn is a year of daily audits of one estate: each day a share of the open findings is
// fixed and as many new ones appear (copies of existing findings on new objects, as when a
// team deploys another service with the same lapse), and now and then a fixed finding comes
// back.
type churn struct {
	base  *report.Report
	open  []report.Finding
	fixed []report.Finding
	rng   *rand.Rand
	day   int
}

func newChurn(base *report.Report) *churn {
	return &churn{base: base, open: slices.Clone(base.Findings), rng: rand.New(rand.NewPCG(13, 2026))}
}

// next returns the report of the next day: rate of the findings fixed, rate new, and a
// tenth of that reopened.
func (c *churn) next(at time.Time, rate float64) *report.Report {
	c.day++
	n := int(float64(len(c.open)) * rate)
	for range n {
		i := c.rng.IntN(len(c.open))
		c.fixed = append(c.fixed, c.open[i])
		c.open[i] = c.open[len(c.open)-1]
		c.open = c.open[:len(c.open)-1]
	}
	for k := range n {
		f := c.open[c.rng.IntN(len(c.open))]
		f.Object.Name = fmt.Sprintf("%s-d%03d-%d", f.Object.Name, c.day, k)
		c.open = append(c.open, f)
	}
	for range n / 10 {
		i := c.rng.IntN(len(c.fixed))
		c.open = append(c.open, c.fixed[i])
		c.fixed[i] = c.fixed[len(c.fixed)-1]
		c.fixed = c.fixed[:len(c.fixed)-1]
	}
	r := *c.base
	r.GeneratedAt = at.UTC().Format(time.RFC3339)
	r.Findings = slices.Clone(c.open)
	r.Summarize()
	return &r
}

// yearOfHistory records a year of daily audits of a 30,000-object cluster into the target's
// database and returns the figures: database size, Record time, and the dashboard's
// queries at the year's end.
func yearOfHistory(b *testing.B, tg target, base *report.Report, days int, estate string) {
	ctx := b.Context()
	b.Log(estate)
	where := tg.fresh(b)
	s, err := tg.open(ctx, where, 0, WithCluster("/subscriptions/0000/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/large"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c := newChurn(base)
	start := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	var total, recent, slowest time.Duration
	recentDays := 0
	for day := range days {
		at := start.Add(time.Duration(day) * 24 * time.Hour)
		r := c.next(at, 0.02)
		t0 := time.Now()
		if _, err := s.Record(ctx, at, at.Add(time.Minute), r); err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		total += d
		recent += d
		recentDays++
		slowest = max(slowest, d)
		if err := s.Checkpoint(ctx); err != nil {
			b.Fatal(err)
		}
		// The figures every quarter and at the end, as they come: a year takes an hour.
		if n := day + 1; n%91 == 0 || n == days {
			figures(b, tg.name, s, where, n, len(c.open), total/time.Duration(n), recent/time.Duration(recentDays), slowest, at)
			recent, recentDays = 0, 0
		}
	}
}

// figures prints the database's size, Record's times and the time of the dashboard's queries
// after days audits, to standard error at once (b.Log prints at the end only), and reports
// them as the benchmark's metrics at the end.
func figures(b *testing.B, name string, s *Store, where string, days, findings int, avg, recent, slowest time.Duration, at time.Time) {
	ctx := b.Context()
	logf := func(format string, args ...any) {
		line := fmt.Sprintf(name+", day %d: "+format, append([]any{days}, args...)...)
		fmt.Fprintln(os.Stderr, line)
		b.Log(line)
	}
	size := databaseSize(b, s, where)
	var rows, fixed int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(fixed_at) FROM findings`).Scan(&rows, &fixed); err != nil {
		b.Fatal(err)
	}
	logf("%d findings in the last report, %d finding rows (%d open); database %.1f MiB; Record %s an audit on average, %s since the previous figures, %s at most",
		findings, rows, rows-fixed, float64(size)/(1<<20), avg.Round(time.Millisecond), recent.Round(time.Millisecond), slowest.Round(time.Millisecond))
	b.ReportMetric(float64(size)/(1<<20), "MiB")
	b.ReportMetric(float64(avg.Milliseconds()), "ms/record")
	week := at.Add(-7 * 24 * time.Hour)
	queries := []struct {
		name string
		run  func(ctx context.Context) (int, error)
	}{
		{"score over time per section (500 audits)", func(ctx context.Context) (int, error) {
			p, err := s.History(ctx, time.Time{}, 500)
			return len(p), err
		}},
		{"new since a week (1000)", func(ctx context.Context) (int, error) {
			f, err := s.FindingsNewSince(ctx, week, 1000)
			return len(f), err
		}},
		{"fixed since a week (1000)", func(ctx context.Context) (int, error) {
			f, err := s.FindingsFixedSince(ctx, week, 1000)
			return len(f), err
		}},
		{"latest report (decompressed)", func(ctx context.Context) (int, error) {
			_, body, err := s.Latest(ctx)
			return len(body), err
		}},
		{"fleet: clusters", func(ctx context.Context) (int, error) {
			f, err := s.Fleet(ctx)
			return len(f), err
		}},
		{"fleet: items (200)", func(ctx context.Context) (int, error) {
			f, err := s.FleetItems(ctx, 200)
			return len(f), err
		}},
		{"fleet: worst findings (200)", func(ctx context.Context) (int, error) {
			f, err := s.FleetFindings(ctx, 200)
			return len(f), err
		}},
	}
	for _, q := range queries {
		var times []time.Duration
		var n int
		for range 5 {
			t0 := time.Now()
			var err error
			if n, err = q.run(ctx); err != nil {
				b.Fatalf("%s: %v", q.name, err)
			}
			times = append(times, time.Since(t0))
		}
		slices.Sort(times)
		logf("%-42s %8s (median of 5; %d rows or bytes)", q.name, times[2].Round(10*time.Microsecond), n)
		b.ReportMetric(float64(times[2].Microseconds())/1000, "ms/"+strings.Fields(q.name)[0])
	}
}

// databaseSize is the SQLite file's size, or PostgreSQL's pg_database_size.
func databaseSize(b *testing.B, s *Store, where string) int64 {
	if s.d.name == "sqlite" {
		fi, err := os.Stat(where)
		if err != nil {
			b.Fatal(err)
		}
		return fi.Size()
	}
	if _, err := s.db.ExecContext(b.Context(), `VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	var n int64
	if err := s.db.QueryRowContext(b.Context(), `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkYearOfHistory records a year of daily audits of a 30,000-object cluster (the
// engine's report over largeEstate, then 2 % of its findings fixed and 2 % new each day)
// and prints the database's size, the time of Record, and the time of the dashboard's
// queries at the year's end. Run it once (AKSCHECK_YEAR_DAYS shortens the year):
//
//	go test ./internal/history -run '^$' -bench YearOfHistory -benchtime 1x -timeout 2h
//	CI=true go test -tags integration ./internal/history -run '^$' -bench YearOfHistory -benchtime 1x -timeout 2h   # and PostgreSQL
func BenchmarkYearOfHistory(b *testing.B) {
	days := 365
	if v := os.Getenv("AKSCHECK_YEAR_DAYS"); v != "" {
		if _, err := fmt.Sscan(v, &days); err != nil || days < 8 {
			b.Fatalf("AKSCHECK_YEAR_DAYS=%q: want a number of days, at least 8", v)
		}
	}
	const objects = 30000
	data := largeEstate(objects)
	scan := manifest.LoadBytes("estate.yaml", data, manifest.Options{})
	scan.Evidence[catalog.Manifest] = true
	if len(scan.Errors) > 0 {
		b.Fatalf("the generated estate has errors: %+v", scan.Errors[0])
	}
	t0 := time.Now()
	base := engine.Run(b.Context(), catalog.MustLoad(), checks.All(), scan, engine.Options{Version: "bench"})
	estate := fmt.Sprintf("estate: %d objects, %d findings, score %.1f (engine %s)", len(scan.Objects), len(base.Findings),
		*base.Summary.Score, time.Since(t0).Round(time.Millisecond))
	for _, tg := range targets() {
		b.Run(tg.name, func(b *testing.B) {
			for b.Loop() {
				yearOfHistory(b, tg, base, days, estate)
			}
		})
	}
}
