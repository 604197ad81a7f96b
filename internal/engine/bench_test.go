package engine_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/render/jsonout"
	"github.com/akscheck/akscheck/internal/subject"
)

// workloadSet generates n objects as one YAML stream across 200 namespaces: each namespace's
// guardrails (Namespace, NetworkPolicies, ResourceQuota, LimitRange), then a realistic mix of
// workloads (Deployments most, then StatefulSets, DaemonSets, CronJobs, Jobs and Pods) with
// 1–3 containers and 0–15 env vars, and Services, PodDisruptionBudgets and autoscalers for
// the Deployments.
func workloadSet(n int) []byte {
	var b strings.Builder
	// Every namespace has its guardrails: a Namespace, a default-deny policy, a policy that
	// selects some workloads with matchExpressions, a quota and a limit range.
	for ns := 0; ns < 200; ns++ {
		name := fmt.Sprintf("team-%03d", ns)
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", name)
		fmt.Fprintf(&b, "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: %s}\nspec: {podSelector: {}, policyTypes: [Ingress, Egress]}\n", name)
		fmt.Fprintf(&b, "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: allow-web, namespace: %s}\nspec:\n  podSelector: {matchExpressions: [{key: app, operator: Exists}]}\n  ingress: [{from: [{podSelector: {}}]}]\n", name)
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: compute, namespace: %s}\nspec: {hard: {requests.cpu: \"20\", requests.memory: 40Gi, limits.memory: 60Gi}}\n", name)
		fmt.Fprintf(&b, "---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: defaults, namespace: %s}\nspec: {limits: [{type: Container, default: {memory: 256Mi}, defaultRequest: {cpu: 100m, memory: 128Mi}}]}\n", name)
	}
	for i := 5 * 200; i < n; i++ {
		ns := fmt.Sprintf("team-%03d", i%200)
		name := fmt.Sprintf("app-%05d", i)
		containers := containersYAML(i, "      ")
		switch i % 10 {
		case 0, 1, 2, 3, 4:
			fmt.Fprintf(&b, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  namespace: %s\n  labels: {app.kubernetes.io/name: %s, app.kubernetes.io/instance: %s}\nspec:\n  replicas: %d\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata:\n      labels: {app: %s, app.kubernetes.io/name: %s}\n    spec:\n      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n      containers:\n%s",
				name, ns, name, name, 1+i%3, name, name, name, containers)
			switch i % 5 {
			case 0, 2:
				fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {app: %s}\n  ports: [{port: 80, targetPort: 8080}]\n", name, ns, name)
				i++ // the extra objects count toward n
			case 1:
				fmt.Fprintf(&b, "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: %s, namespace: %s}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: %s}}\n", name, ns, name)
				i++
			case 3:
				fmt.Fprintf(&b, "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: %s, namespace: %s}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}\n  minReplicas: 2\n  maxReplicas: 5\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]\n", name, ns, name)
				i++
			}
		case 5:
			fmt.Fprintf(&b, "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: %s, namespace: %s}\nspec:\n  replicas: 3\n  serviceName: %s\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata: {labels: {app: %s}}\n    spec:\n      containers:\n%s", name, ns, name, name, name, containers)
		case 6:
			fmt.Fprintf(&b, "---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata: {labels: {app: %s}}\n    spec:\n      hostNetwork: true\n      containers:\n%s", name, ns, name, name, containers)
		case 7:
			fmt.Fprintf(&b, "---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: %s, namespace: %s}\nspec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n%s", name, ns, containersYAML(i, "          "))
		case 8:
			fmt.Fprintf(&b, "---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: %s, namespace: %s}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n%s", name, ns, containers)
		case 9:
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: %s}\nspec:\n  containers:\n%s", name, ns, containersYAML(i, "  "))
		}
	}
	return []byte(b.String())
}

func containersYAML(i int, indent string) string {
	var b strings.Builder
	for c := 0; c <= i%3; c++ {
		fmt.Fprintf(&b, "%s- name: c%d\n%s  image: contosoacr.azurecr.io/team/app%d:1.%d.0\n", indent, c, indent, i%50, c)
		fmt.Fprintf(&b, "%s  resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}\n", indent)
		if i%4 != 0 {
			fmt.Fprintf(&b, "%s  livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 10}\n", indent)
			fmt.Fprintf(&b, "%s  readinessProbe: {httpGet: {path: /ready, port: 8080}}\n", indent)
		}
		fmt.Fprintf(&b, "%s  securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n", indent)
		if env := i % 16; env > 0 {
			fmt.Fprintf(&b, "%s  env:\n", indent)
			for e := 0; e < env; e++ {
				fmt.Fprintf(&b, "%s  - {name: SETTING_%d, value: \"value-%d\"}\n", indent, e, e)
			}
		}
	}
	return b.String()
}

// BenchmarkScan runs the whole pipeline, YAML to JSON report, over 10,000 objects, and each
// stage alone (load: YAML to typed objects; check: index, checks and report model; render:
// JSON). Run it on one core:
//
//	go test ./internal/engine -run '^$' -bench Scan -benchmem -cpu 1
func BenchmarkScan(b *testing.B) {
	const n = 10000
	data := workloadSet(n)
	cat := catalog.MustLoad()
	all := checks.All()
	load := func(b *testing.B) *subject.Scan {
		// A load shares the equal maps of its objects (load.Load gives its files one table).
		scan := manifest.LoadBytes("bench.yaml", data, manifest.Options{Shared: subject.NewShared()})
		scan.Evidence[catalog.Manifest] = true
		if len(scan.Errors) > 0 {
			b.Fatalf("generated input has errors: %+v", scan.Errors[0])
		}
		return scan
	}
	perObject := func(b *testing.B, objects int) {
		b.ReportMetric(float64(objects)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
	}
	b.Run("pipeline", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		objects := 0
		for b.Loop() {
			scan := load(b)
			rep := engine.Run(b.Context(), cat, all, scan, engine.Options{})
			if err := jsonout.Render(io.Discard, rep); err != nil {
				b.Fatal(err)
			}
			objects = len(scan.Objects)
		}
		perObject(b, objects)
	})
	b.Run("load", func(b *testing.B) {
		b.ReportAllocs()
		objects := 0
		for b.Loop() {
			objects = len(load(b).Objects)
		}
		perObject(b, objects)
	})
	scan := load(b)
	b.Run("check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			engine.Run(b.Context(), cat, all, scan, engine.Options{})
		}
		perObject(b, len(scan.Objects))
	})
	rep := engine.Run(b.Context(), cat, all, scan, engine.Options{})
	b.Run("render", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := jsonout.Render(io.Discard, rep); err != nil {
				b.Fatal(err)
			}
		}
		perObject(b, len(scan.Objects))
		b.ReportMetric(float64(len(rep.Findings)), "findings")
	})
}

// BenchmarkIncremental compares a full run over 30,000 objects with an incremental run
// after a change in one namespace (each on a memo of the run before), and times the index
// alone, which both build:
//
//	go test ./internal/engine -run '^$' -bench Incremental -benchmem -cpu 1
func BenchmarkIncremental(b *testing.B) {
	scan := manifest.LoadBytes("bench.yaml", workloadSet(30000), manifest.Options{})
	scan.Evidence[catalog.Manifest] = true
	cat, all := catalog.MustLoad(), checks.All()
	b.Run("index", func(b *testing.B) {
		for b.Loop() {
			subject.NewIndexOf(scan)
		}
	})
	b.Run("full", func(b *testing.B) {
		memo := &engine.Memo{}
		for b.Loop() {
			engine.Run(b.Context(), cat, all, scan, engine.Options{Memo: memo})
		}
	})
	b.Run("one-namespace", func(b *testing.B) {
		memo := &engine.Memo{}
		engine.Run(b.Context(), cat, all, scan, engine.Options{Memo: memo})
		var ch engine.Changes
		ch.Add("Deployment", "team-042")
		for b.Loop() {
			engine.Run(b.Context(), cat, all, scan, engine.Options{Memo: memo, Dirty: ch.Dirty})
		}
		st := memo.Stats()
		b.ReportMetric(float64(st.Evaluated), "evaluated")
		b.ReportMetric(float64(st.Subjects), "subjects")
	})
}
