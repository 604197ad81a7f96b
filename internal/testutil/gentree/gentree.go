// Package gentree writes generated trees of Kubernetes manifests for the scale benchmark
// (make bench-scale) and the tests that pin the report of such a tree. A tree is seeded:
// the same shape, size and seed give the same bytes.
//
// Two shapes, which differ in how many objects share a namespace:
//
//   - Dense: every app has a Deployment, a Service, a ConfigMap, a NetworkPolicy, a
//     PodDisruptionBudget and a HorizontalPodAutoscaler, and the apps share 5 namespaces
//     (each also holds its Namespace, a default-deny NetworkPolicy, a ResourceQuota and a
//     LimitRange). At 21,000 objects a namespace holds 4,200: what a real cluster's busy
//     namespace looks like, and where cross-object matching that is quadratic per namespace
//     shows. Labels and selectors are realistic: each Service, PDB and policy selects its
//     app by app.kubernetes.io/name, and each policy admits the app's group
//     (app.kubernetes.io/part-of, shared by 10 apps), so matching really matches. A file
//     holds 3 apps (18 objects).
//   - Sparse: every app has its own namespace, with its Namespace, Deployment, Service,
//     ConfigMap, NetworkPolicy, PodDisruptionBudget and HorizontalPodAutoscaler (7 objects).
//     Files hold one kind each, 20 objects of 20 namespaces, in a folder per kind, as a
//     repository laid out by kind is.
//   - OneFile: the dense tree's objects, in the same order, in one multi-document file
//     (all.yaml): about 500 bytes an object, so 100,000 objects make a 50 MB file. It
//     measures what one huge file costs (scan it with --max-file-size raised).
package gentree

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Shape is how a generated tree spreads its objects over namespaces.
type Shape string

// The shapes of a tree (see the package comment).
const (
	Dense   Shape = "dense"
	Sparse  Shape = "sparse"
	OneFile Shape = "onefile"
)

// DenseNamespaces is the number of namespaces the apps of a dense tree share.
const DenseNamespaces = 5

// Tree is what Write wrote.
type Tree struct {
	Objects int
	Files   int
	Bytes   int64
}

// Write generates a tree of about n objects (whole apps, so up to one app more) into dir,
// which it creates.
func Write(dir string, shape Shape, n int, seed uint64) (Tree, error) {
	g := &gen{dir: dir, rnd: rand.New(rand.NewPCG(seed, 0x5ca1e)), oneFile: shape == OneFile}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Tree{}, fmt.Errorf("create %s: %w", dir, err)
	}
	var err error
	switch shape {
	case Dense, OneFile:
		err = g.dense(n)
		if err == nil && g.oneFile {
			err = g.write("all.yaml", &g.all)
		}
	case Sparse:
		err = g.sparse(n)
	default:
		return Tree{}, fmt.Errorf("unknown shape %q (dense, sparse or onefile)", shape)
	}
	return g.tree, err
}

type gen struct {
	dir  string
	rnd  *rand.Rand
	tree Tree
	// oneFile gathers every file's documents into all, written at the end.
	oneFile bool
	all     file
}

// file collects the documents of one output file.
type file struct {
	docs []string
}

func (f *file) add(format string, args ...any) { f.docs = append(f.docs, fmt.Sprintf(format, args...)) }

func (g *gen) write(rel string, f *file) error {
	if g.oneFile && f != &g.all {
		g.all.docs = append(g.all.docs, f.docs...)
		return nil
	}
	path := filepath.Join(g.dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	w := bufio.NewWriter(out)
	for i, d := range f.docs {
		if i > 0 {
			_, _ = w.WriteString("---\n")
		}
		_, _ = w.WriteString(d)
	}
	err = w.Flush()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("stat %s: %w", path, err)
	}
	g.tree.Files++
	g.tree.Objects += len(f.docs)
	g.tree.Bytes += st.Size()
	return nil
}

// dense writes the guardrails of DenseNamespaces namespaces, then apps round-robin over
// them, 3 to a file.
func (g *gen) dense(n int) error {
	for ns := range DenseNamespaces {
		f := &file{}
		g.guardrails(f, denseNamespace(ns))
		if err := g.write(fmt.Sprintf("%s/00-namespace.yaml", denseNamespace(ns)), f); err != nil {
			return err
		}
	}
	apps := (n - 4*DenseNamespaces + 5) / 6
	for start := 0; start < apps; start += 3 * DenseNamespaces {
		// One file per namespace for the next 3 apps of each: app i is in namespace
		// i mod DenseNamespaces.
		files := make([]file, DenseNamespaces)
		for i := start; i < min(apps, start+3*DenseNamespaces); i++ {
			g.app(&files[i%DenseNamespaces], denseNamespace(i%DenseNamespaces), i)
		}
		for ns := range files {
			if len(files[ns].docs) == 0 {
				continue
			}
			if err := g.write(fmt.Sprintf("%s/apps-%06d.yaml", denseNamespace(ns), start/DenseNamespaces), &files[ns]); err != nil {
				return err
			}
		}
	}
	return nil
}

func denseNamespace(i int) string { return fmt.Sprintf("team-%d", i) }

// sparse writes one namespace per app, its objects in files of one kind, 20 to a file.
func (g *gen) sparse(n int) error {
	const perFile = 20
	apps := (n + 6) / 7
	kinds := []string{"namespaces", "deployments", "services", "configmaps", "networkpolicies", "poddisruptionbudgets", "horizontalpodautoscalers"}
	for start := 0; start < apps; start += perFile {
		byKind := make([]file, len(kinds))
		for i := start; i < min(apps, start+perFile); i++ {
			ns := fmt.Sprintf("app-%06d", i)
			byKind[0].add("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    team: team-%d\n", ns, i%40)
			var app file
			g.app(&app, ns, i)
			// app writes Deployment, Service, ConfigMap, NetworkPolicy, PDB, HPA in
			// this order: the kinds' files after namespaces.
			for k, d := range app.docs {
				byKind[k+1].docs = append(byKind[k+1].docs, d)
			}
		}
		for k, f := range byKind {
			if err := g.write(fmt.Sprintf("%s/%s-%06d.yaml", kinds[k], kinds[k], start/perFile), &f); err != nil {
				return err
			}
		}
	}
	return nil
}

// guardrails are a namespace's own objects: the Namespace, a default-deny policy, a quota
// and a limit range.
func (g *gen) guardrails(f *file, ns string) {
	f.add("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels:\n    kubernetes.io/metadata.name: %s\n    pod-security.kubernetes.io/enforce: restricted\n", ns, ns)
	f.add("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: %s\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n", ns)
	f.add("apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: compute\n  namespace: %s\nspec:\n  hard:\n    requests.cpu: \"2000\"\n    requests.memory: 4000Gi\n    limits.memory: 6000Gi\n", ns)
	f.add("apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n  namespace: %s\nspec:\n  limits:\n    - type: Container\n      default: {memory: 256Mi}\n      defaultRequest: {cpu: 100m, memory: 128Mi}\n", ns)
}

var tiers = []string{"frontend", "backend", "worker"}

// app writes app i's Deployment, Service, ConfigMap, NetworkPolicy, PodDisruptionBudget and
// HorizontalPodAutoscaler in namespace ns, in that order.
func (g *gen) app(f *file, ns string, i int) {
	r := g.rnd
	name := fmt.Sprintf("app-%06d", i)
	group := fmt.Sprintf("group-%05d", i/10)
	tier := tiers[r.IntN(len(tiers))]
	labels := fmt.Sprintf("app.kubernetes.io/name: %s\n        app.kubernetes.io/part-of: %s\n        app.kubernetes.io/component: %s", name, group, tier)
	// Images repeat across apps (a few hundred repositories), as a fleet's do.
	image := fmt.Sprintf("contosoacr.azurecr.io/%s/svc-%03d:1.%d.%d", tier, r.IntN(300), r.IntN(20), r.IntN(5))
	if r.IntN(10) == 0 {
		image = fmt.Sprintf("contosoacr.azurecr.io/%s/svc-%03d@sha256:%064x", tier, r.IntN(300), r.Uint64())
	}
	probes := ""
	if r.IntN(5) != 0 {
		probes = "          livenessProbe:\n            httpGet: {path: /healthz, port: 8080}\n            periodSeconds: 10\n" +
			"          readinessProbe:\n            httpGet: {path: /ready, port: 8080}\n"
	}
	env := ""
	if k := r.IntN(6); k > 0 {
		env = "          env:\n"
		for e := range k {
			env += fmt.Sprintf("            - {name: SETTING_%d, value: \"value-%d\"}\n", e, r.IntN(100))
		}
	}
	replicas := 2 + r.IntN(3)
	f.add(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: %[2]s
  labels:
    app.kubernetes.io/name: %[1]s
    app.kubernetes.io/part-of: %[3]s
spec:
  replicas: %[4]d
  selector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
  template:
    metadata:
      labels:
        %[5]s
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: %[1]s
      containers:
        - name: app
          image: %[6]s
          ports:
            - containerPort: 8080
          envFrom:
            - configMapRef: {name: %[1]s-config}
%[7]s%[8]s          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
`, name, ns, group, replicas, labels, image, env, probes)
	f.add(`apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  selector:
    app.kubernetes.io/name: %[1]s
  ports:
    - port: 80
      targetPort: 8080
`, name, ns)
	f.add(`apiVersion: v1
kind: ConfigMap
metadata:
  name: %[1]s-config
  namespace: %[2]s
  labels:
    app.kubernetes.io/name: %[1]s
data:
  LOG_LEVEL: info
  UPSTREAM: http://app-%06[3]d.%[2]s.svc.cluster.local
`, name, ns, r.IntN(i+1))
	f.add(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/part-of: %[3]s
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: ingress-nginx
      ports:
        - port: 8080
`, name, ns, group)
	budget := "minAvailable: 1"
	if r.IntN(2) == 0 {
		budget = "maxUnavailable: 1"
	}
	f.add(`apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  %[3]s
  selector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
`, name, ns, budget)
	f.add(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: %[1]s
  minReplicas: %[3]d
  maxReplicas: %[4]d
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 70}
`, name, ns, replicas, replicas+3+r.IntN(5))
}
