package guardrails

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// findingsFor makes the findings of every guardrail check for a namespace and each of its
// Deployments and StatefulSets, as if the namespace had none of them.
func findingsFor(s *subject.Scan, namespace string) []report.Finding {
	var out []report.Finding
	for _, id := range []string{CheckDefaultDenyIngress, CheckDefaultDenyEgress, CheckBlockIMDS, CheckResourceQuota, CheckLimitRange} {
		out = append(out, report.Finding{Check: id, Object: report.Object{Kind: "Namespace", Name: namespace}})
	}
	for _, o := range s.Objects {
		if o.Namespace == namespace && (o.Kind == "Deployment" || o.Kind == "StatefulSet") {
			for _, id := range []string{CheckPDBCoverage, CheckAutoscaling} {
				out = append(out, report.Finding{Check: id, Object: report.Object{Kind: o.Kind, Namespace: namespace, Name: o.Name()}})
			}
		}
	}
	return out
}

func load(t *testing.T, yaml string) *subject.Scan {
	t.Helper()
	s := manifest.LoadBytes("test.yaml", []byte(yaml), manifest.Options{Namespace: "app"})
	if len(s.Errors) > 0 {
		t.Fatalf("loading: %+v", s.Errors)
	}
	return s
}

func TestParseMaxUnavailable(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{"1": true, "3": true, "25%": true, "1%": true, "99%": true,
		"0": false, "-1": false, "0%": false, "100%": false, "x": false, "%": false, "": false, "1.5": false, "99999999999": false} {
		_, err := ParseMaxUnavailable(in)
		if (err == nil) != ok {
			t.Errorf("ParseMaxUnavailable(%q): error %v, want ok %v", in, err, ok)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	bad := []func(*Options){
		func(o *Options) { o.Namespace = "" },
		func(o *Options) { o.Headroom = 0.99 },
		func(o *Options) { o.Headroom = math.NaN() },
		func(o *Options) { o.Headroom = math.Inf(1) },
		func(o *Options) { o.ScaleFactor = 1 },
		func(o *Options) { o.CPUUtilization = 101 },
		func(o *Options) { o.Nodes = 0 },
	}
	if err := DefaultOptions("app").validate(); err != nil {
		t.Fatalf("the defaults are invalid: %v", err)
	}
	for i, f := range bad {
		o := DefaultOptions("app")
		f(&o)
		if err := o.validate(); err == nil {
			t.Errorf("case %d: no error for %+v", i, o)
		}
	}
}

// TestOverlappingSelector: a budget whose selector would also take another workload's pods
// is not written, and the note says whose.
func TestOverlappingSelector(t *testing.T) {
	t.Parallel()
	s := load(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: x, resources: {requests: {cpu: 100m}}}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web-canary}
spec:
  replicas: 2
  selector: {matchLabels: {app: web, track: canary}}
  template:
    metadata: {labels: {app: web, track: canary}}
    spec: {containers: [{name: web, image: x, resources: {requests: {cpu: 100m}}}]}
`)
	res, err := Generate(s, findingsFor(s, "app"), DefaultOptions("app"))
	if err != nil {
		t.Fatal(err)
	}
	var pdbs []string
	for _, o := range res.Objects {
		if o.Kind == "PodDisruptionBudget" {
			pdbs = append(pdbs, o.Name)
		}
	}
	if len(pdbs) != 1 || pdbs[0] != "web-canary" {
		t.Errorf("budgets %v, want only web-canary's", pdbs)
	}
	if notes := strings.Join(res.Notes, "\n"); !strings.Contains(notes, "Deployment web: its selector also matches the pods of Deployment web-canary") {
		t.Errorf("notes do not say why web has no budget:\n%s", notes)
	}
}

// TestPodAmounts: an init container counts alone when larger than the app containers and
// sidecars together; a limit stands in for a missing request; defaults fill the rest.
func TestPodAmounts(t *testing.T) {
	t.Parallel()
	s := load(t, `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: init, image: x, resources: {requests: {cpu: "3", memory: 1Gi}}}
    - {name: sidecar, image: x, restartPolicy: Always, resources: {requests: {cpu: 100m, memory: 64Mi}}}
  containers:
    - {name: a, image: x, resources: {limits: {cpu: 200m, memory: 256Mi}}}
    - {name: b, image: x}
`)
	ix := subject.NewIndexOf(s)
	w := ix.WorkloadsIn("app")[0]
	got, missing := podAmounts(w, defaults{})
	// With no defaults, container b has nothing; init's CPU (3) beats 100m + 200m.
	if got[reqCPU] != 3000 || got[reqMem] != 1<<30 {
		t.Errorf("requests %v, want 3000m and 1Gi", got)
	}
	if len(missing[reqCPU]) != 1 || missing[reqCPU][0] != "b" {
		t.Errorf("missing CPU requests %v, want only b's", missing[reqCPU])
	}
	with, missing := podAmounts(w, defaults{request: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m")}})
	if with[reqCPU] != 3000 || len(missing[reqCPU]) != 0 || len(missing[reqMem]) != 1 {
		t.Errorf("with a CPU default: %v, missing %v", with, missing)
	}
}

// TestYAMLQuoting: strings a YAML 1.1 reader takes for booleans are quoted; comments hold no
// line break from a name.
func TestYAMLQuoting(t *testing.T) {
	t.Parallel()
	o := Object{Kind: "ConfigMap", Name: "x", Comment: []string{"name with\nnewline"}, Obj: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]string{"a": "yes", "b": "On", "c": "n", "d": "fine"}}}
	b, err := o.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`a: "yes"`, `b: "On"`, `c: "n"`, "d: fine", "# name with?newline\n"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("YAML lacks %q:\n%s", want, b)
		}
	}
}

// TestFinishedJob: a finished Job (as a running cluster shows it) holds no pod against the
// quota; a running one holds its parallelism.
func TestFinishedJob(t *testing.T) {
	t.Parallel()
	s := load(t, `apiVersion: batch/v1
kind: Job
metadata: {name: done}
spec:
  parallelism: 5
  template: {spec: {restartPolicy: Never, containers: [{name: c, image: x}]}}
status:
  conditions: [{type: Complete, status: "True"}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: running}
spec:
  parallelism: 3
  template: {spec: {restartPolicy: Never, containers: [{name: c, image: x}]}}
`)
	g := &generator{opts: DefaultOptions("app"), ns: "app", ix: subject.NewIndexOf(s)}
	got := map[string]int64{}
	for _, w := range g.ix.WorkloadsIn("app") {
		got[w.Name()], _ = g.podsOf(w)
	}
	if got["done"] != 0 || got["running"] != 3 {
		t.Errorf("pods %v, want done 0 and running 3", got)
	}
}

// TestDocsStateTheRules: docs/guardrails.md gives the defaults and constants the code sizes
// with; a change to one must change the doc.
func TestDocsStateTheRules(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "guardrails.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| `--headroom` | `" + strconv.FormatFloat(DefaultHeadroom, 'f', -1, 64) + "` |",
		"| `--scale-factor` | `" + strconv.FormatFloat(DefaultScaleFactor, 'f', -1, 64) + "` |",
		"| `--cpu-utilization` | `" + strconv.Itoa(DefaultCPUUtilization) + "` |",
		"| `--max-unavailable` | `" + DefaultMaxUnavailable + "` |",
		"| `--nodes` | `" + strconv.Itoa(DefaultNodes) + "` |",
		"100m CPU and 128Mi memory when no", // baseCPU, baseMemory
		"twice the\n  default request",      // limitFactor
		"room for 4 pods",                   // floorPods
		"rounded up to 100m of CPU\n   and 64Mi of memory",
		"`maxReplicaCount`, 100 when it sets none",
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("docs/guardrails.md does not say %q", want)
		}
	}
	if baseCPU != 100 || baseMemory != 128<<20 || limitFactor != 2 || floorPods != 4 || cpuStep != 100 || memoryStep != 64<<20 || subject.KEDADefaultMaxReplicas != 100 {
		t.Error("a sizing constant changed: update docs/guardrails.md and this test")
	}
}

// TestUnknownNamespace: the error names the input's namespaces, at most ten of them.
func TestUnknownNamespace(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 12 {
		b.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ns" + strconv.Itoa(10+i) + "}\n")
	}
	s := load(t, b.String())
	_, err := Generate(s, nil, DefaultOptions("web"))
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v, want an InputError", err)
	}
	if want := "namespace web is not in the input (its namespaces: ns10, ns11, ns12, ns13, ns14, ns15, ns16, ns17, ns18, ns19, and 2 more)"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want it to start %q", err, want)
	}
}
