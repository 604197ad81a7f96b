//go:build integration

package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/checks"
	livechecks "github.com/akscheck/akscheck/internal/checks/live"
	"github.com/akscheck/akscheck/internal/cli"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// runCLI runs akscheck as a user would and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Execute(t.Context(), args, cli.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func decode(t *testing.T, data string) *report.Report {
	t.Helper()
	var rep report.Report
	if err := json.Unmarshal([]byte(data), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, data)
	}
	return &rep
}

func validate(t *testing.T, data string) {
	t.Helper()
	f, err := os.Open("../../../../docs/report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("report.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("the report does not follow the contract: %v", err)
	}
}

func item(rep *report.Report, id string) report.Item {
	for _, it := range rep.Items {
		if it.ID == id {
			return it
		}
	}
	return report.Item{}
}

func findings(rep *report.Report, checkID string) []report.Finding {
	var out []report.Finding
	for _, f := range rep.Findings {
		if f.Check == checkID {
			out = append(out, f)
		}
	}
	return out
}

// The whole path as a user runs it: kubeconfig, client-go, pages, the model, the checks
// and the JSON report.
func TestScanClusterReport(t *testing.T) {
	t.Parallel()
	kc := env.API.Kubeconfig(t, map[string]string{"aks-prod": adminToken}, "aks-prod")
	code, out, stderr := runCLI(t, "scan", "--cluster", "--kubeconfig", kc, "-o", "json")
	if code != cli.ExitFindings {
		t.Fatalf("exit %d, want 1 (findings)\n%s", code, stderr)
	}
	validate(t, out)
	rep := decode(t, out)
	if len(rep.Inputs) != 1 || rep.Inputs[0].Kind != "cluster" || rep.Inputs[0].Source != "aks-prod" || rep.Inputs[0].Objects == 0 {
		t.Errorf("inputs = %+v, want one cluster input named aks-prod", rep.Inputs)
	}
	if len(rep.Errors) > 0 {
		t.Errorf("errors = %+v", rep.Errors)
	}
	if strings.Contains(out, secretValue) {
		t.Error("the report holds a Secret's value")
	}

	// Checked once, at the controller: no finding names a ReplicaSet or a controlled Pod.
	for _, f := range rep.Findings {
		// The static pod's mirror is owned by its Node, no controller: it is checked itself.
		if f.Object.Kind == "ReplicaSet" || (f.Object.Kind == "Pod" && f.Object.Name != "debug" && !strings.HasPrefix(f.Object.Name, "static-web-")) {
			t.Errorf("finding on a controlled object: %s %s/%s: %s", f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Message)
		}
	}
	// Naked-pod detection: the debug pod, not the static pod's mirror.
	naked := findings(rep, "naked-pod")
	if len(naked) != 1 || naked[0].Object.Name != "debug" {
		t.Errorf("naked-pod findings = %+v, want Pod shop/debug only", naked)
	}
	// Manifest checks run on live objects: the dashboard bound to cluster-admin, a public
	// load balancer.
	if len(findings(rep, "kubernetes-dashboard")) == 0 {
		t.Error("the dashboard bound to cluster-admin was not found")
	}
	if len(findings(rep, "internal-load-balancer")) != 1 {
		t.Errorf("internal-load-balancer findings = %+v", findings(rep, "internal-load-balancer"))
	}

	wantLive := map[string][]string{
		"live-replicas-one-node":       {"Deployment shop/web", "aks-user-20000000-vmss000000"},
		"live-defender-sensor":         {"no Defender"},
		"live-azure-policy":            {"neither the Azure Policy add-on"},
		"live-gitops-controller":       {"no GitOps controller"},
		"live-backup-schedule":         {"namespace shop", "1 active Velero Schedule"},
		"live-metrics-agent":           {"no metrics collector"},
		"live-runtime-security-sensor": {"no runtime security sensor"},
		"live-cluster-checker":         {"CronJob shop/kube-bench runs kube-bench", "last succeeded 30d ago"},
	}
	for id, parts := range wantLive {
		fs := findings(rep, id)
		if len(fs) != 1 {
			t.Errorf("%s: %d findings, want 1: %+v", id, len(fs), fs)
			continue
		}
		for _, p := range parts {
			if !strings.Contains(fs[0].Message, p) {
				t.Errorf("%s: message %q lacks %q", id, fs[0].Message, p)
			}
		}
	}
	// The cluster checks judge the pools the nodes show, at the Node and field they read.
	wantPool := map[string]struct {
		node, path string
		parts      []string
	}{
		"node-pool-version-skew": {"aks-legacy-30000000-vmss000000", "status.nodeInfo.kubeletVersion",
			[]string{"node pool legacy", "1.34.5", "more than two minors behind"}},
		"node-image-age": {"aks-legacy-30000000-vmss000000", `metadata.labels["kubernetes.azure.com/node-image-version"]`,
			[]string{"node pool legacy", "days ago"}},
	}
	for id, want := range wantPool {
		fs := findings(rep, id)
		if len(fs) != 1 {
			t.Errorf("%s: %d findings, want 1: %+v", id, len(fs), fs)
			continue
		}
		if fs[0].Object.Kind != "Node" || fs[0].Object.Name != want.node || fs[0].Location.Path != want.path {
			t.Errorf("%s: finding at %+v %+v, want Node %s at %s", id, fs[0].Object, fs[0].Location, want.node, want.path)
		}
		for _, p := range want.parts {
			if !strings.Contains(fs[0].Message, p) {
				t.Errorf("%s: message %q lacks %q", id, fs[0].Message, p)
			}
		}
	}
	// Two pools in one zone each: user (three nodes) and legacy (one).
	if fs := findings(rep, "availability-zones"); len(fs) != 2 || !strings.Contains(fs[0].Message+fs[1].Message, "node pool user: runs in 1 availability zone(s)") {
		t.Errorf("availability-zones findings = %+v", fs)
	}
	for _, id := range []string{"system-node-pool", "live-log-agent"} {
		if fs := findings(rep, id); len(fs) > 0 {
			t.Errorf("%s: unexpected findings %+v", id, fs)
		}
	}
	for id, want := range map[string]string{
		"cluster.system-node-pools": report.StatusPass,
		"ops.log-aggregation":       report.StatusPass,
		"dr.availability-zones":     report.StatusFail,
		"ops.gitops":                report.StatusFail,
	} {
		if got := item(rep, id); got.Status != want {
			t.Errorf("item %s is %s (%s), want %s", id, got.Status, got.Reason, want)
		}
	}
}

// Secrets are read as metadata only, every kind is listed in pages, and nothing is asked
// object by object.
func TestRequests(t *testing.T) {
	t.Parallel()
	cfg := env.API.Config(adminToken)
	var mu sync.Mutex
	var reqs []*http.Request
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			reqs = append(reqs, r.Clone(context.Background()))
			mu.Unlock()
			return rt.RoundTrip(r)
		})
	})
	scan := live.LoadConfig(t.Context(), cfg, "aks-prod", live.Options{PageSize: 2})
	if len(scan.Errors) > 0 {
		t.Fatalf("errors: %+v", scan.Errors)
	}
	secrets, lists, continued := 0, 0, 0
	for _, r := range reqs {
		if r.Method != http.MethodGet {
			t.Errorf("%s %s: the scan only reads", r.Method, r.URL)
		}
		q := r.URL.Query()
		if strings.HasSuffix(r.URL.Path, "/secrets") {
			secrets++
			if !strings.Contains(r.Header.Get("Accept"), "as=PartialObjectMetadataList") {
				t.Errorf("secrets requested with Accept %q: their data could be sent", r.Header.Get("Accept"))
			}
		}
		if q.Get("limit") != "" {
			lists++
			if q.Get("continue") != "" {
				continued++
			}
		} else if !isDiscovery(r.URL.Path) {
			t.Errorf("GET %s is not a paged list nor discovery: no per-object calls", r.URL.Path)
		}
	}
	if secrets == 0 || continued == 0 {
		t.Errorf("secret lists %d, continued pages %d: want both", secrets, continued)
	}
	controlled := 0
	for _, o := range scan.Objects {
		if s, ok := o.Body().(*corev1.Secret); ok && (len(s.Data) > 0 || len(s.StringData) > 0) {
			t.Errorf("Secret %s/%s holds data", s.Namespace, s.Name)
		}
		if len(o.Meta.ManagedFields) > 0 {
			t.Errorf("%s keeps its managedFields", o.Ref())
		}
		if _, ok := o.Meta.Annotations["kubectl.kubernetes.io/last-applied-configuration"]; ok {
			t.Errorf("%s keeps kubectl's last-applied copy", o.Ref())
		}
		if o.Typed != nil && subject.HasUnreadStatus(o.Body()) {
			t.Errorf("%s keeps status no built-in check reads (conditions, a Node's images or volumes)", o.Ref())
		}
		if o.Meta.Annotations != nil && len(o.Meta.Annotations) == 0 {
			t.Errorf("%s keeps an emptied annotation map", o.Ref())
		}
		if _, ok := o.Typed.(*subject.Controlled); ok {
			controlled++
			if o.Meta.Labels != nil || o.Meta.Annotations != nil {
				t.Errorf("%s, judged at its controller, keeps labels or annotations", o.Ref())
			}
		}
		if o.Meta.UID != "" || o.Meta.ResourceVersion != "" || o.Meta.GenerateName != "" {
			t.Errorf("%s keeps its UID, resource version or generated-name prefix", o.Ref())
		}
		for _, ref := range o.Meta.OwnerReferences {
			if ref.UID != "" {
				t.Errorf("%s keeps its owner %s's UID", o.Ref(), ref.Name)
			}
		}
	}
	if controlled == 0 {
		t.Error("no object kept in its Controlled form: the assertions above on them did not run")
	}
	// Objects written in the same versions share one Extra.
	extras, written := map[*subject.ObjectExtra]bool{}, 0
	for _, o := range scan.Objects {
		if o.Extra != nil && len(o.WrittenAs()) > 0 {
			extras[o.Extra] = true
			written++
		}
	}
	if written == 0 || len(extras) > 10 {
		t.Errorf("%d objects with the versions they were written in, in %d Extras: want them shared", written, len(extras))
	}
	if !scan.Evidence[catalog.Cluster] {
		t.Error("no cluster evidence")
	}
	t.Logf("%d requests, %d list pages for %d objects", len(reqs), lists, len(scan.Objects))
}

// isDiscovery tells discovery (/version, /api, /api/v1, /apis, /apis/<group>/<version>)
// from a request about objects.
func isDiscovery(path string) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch parts[0] {
	case "version":
		return len(parts) == 1
	case "api":
		return len(parts) <= 2
	case "apis":
		return len(parts) <= 3
	}
	return false
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// grant gives a token user list (and get) on some resources only.
func grant(t *testing.T, name, user string, rules []rbacv1.PolicyRule) {
	t.Helper()
	cs, err := kubernetes.NewForConfig(env.API.Config(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := cs.RbacV1().ClusterRoles().Create(ctx, &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rules}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: user}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// RBAC is read from a cache: wait until the grant is seen.
	lim, err := kubernetes.NewForConfig(env.API.Config(tokenOf(user)))
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if _, err := lim.CoreV1().Namespaces().List(ctx, metav1.ListOptions{Limit: 1}); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the grant to %s is not in force", user)
}

func tokenOf(user string) string {
	if user == readerUser {
		return readerToken
	}
	return limitedToken
}

// A token that may list only some kinds: the others are error entries naming them, and the
// items that need them are not evaluated; the rest is checked.
func TestForbiddenKinds(t *testing.T) {
	t.Parallel()
	grant(t, "akscheck-limited", limitedUser, []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods", "nodes", "namespaces"}, Verbs: []string{"list"}},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "replicasets"}, Verbs: []string{"list"}},
	})
	kc := env.API.Kubeconfig(t, map[string]string{"limited": limitedToken}, "limited")
	code, out, stderr := runCLI(t, "scan", "--cluster", "--kubeconfig", kc, "-o", "json")
	if code == cli.ExitUsage {
		t.Fatalf("exit 2: a partly readable cluster is still scanned\n%s", stderr)
	}
	validate(t, out)
	rep := decode(t, out)
	errs := ""
	for _, e := range rep.Errors {
		errs += e.Message + "\n"
		if e.Source != "limited" {
			t.Errorf("error source %q, want the context", e.Source)
		}
	}
	for _, kind := range []string{"Secret", "Service", "DaemonSet", "NetworkPolicy", "ClusterRoleBinding"} {
		if !strings.Contains(errs, "cannot list "+kind+" (") {
			t.Errorf("no error names %s:\n%s", kind, errs)
		}
	}
	if !strings.Contains(errs, "forbidden") {
		t.Errorf("errors do not say forbidden:\n%s", errs)
	}
	if it := item(rep, "network.internal-load-balancer"); it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "Service: forbidden") {
		t.Errorf("network.internal-load-balancer is %s (%s), want not-evaluated for Services", it.Status, it.Reason)
	}
	if it := item(rep, "ops.log-aggregation"); it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "DaemonSet") {
		t.Errorf("ops.log-aggregation is %s (%s), want not-evaluated for DaemonSets", it.Status, it.Reason)
	}
	// What could be read is still judged.
	if it := item(rep, "ops.kubernetes-version"); it.Status != report.StatusFail {
		t.Errorf("ops.kubernetes-version is %s (%s), want fail from the nodes", it.Status, it.Reason)
	}
	if len(findings(rep, "naked-pod")) != 1 {
		t.Errorf("naked-pod findings = %+v", findings(rep, "naked-pod"))
	}
}

// The role shipped in deploy/ is enough for a whole scan: not one error.
func TestDeployRoleIsEnough(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../../../deploy/1-rbac.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var role *rbacv1.ClusterRole
	for _, o := range manifest.LoadBytes("1-rbac.yaml", data, manifest.Options{}).Objects {
		if r, ok := o.Body().(*rbacv1.ClusterRole); ok && r.Name == "akscheck-reader" {
			role = r
		}
	}
	if role == nil {
		t.Fatal("deploy/1-rbac.yaml has no ClusterRole akscheck-reader")
	}
	grant(t, "akscheck-reader-test", readerUser, role.Rules)
	kc := env.API.Kubeconfig(t, map[string]string{"reader": readerToken}, "reader")
	code, out, stderr := runCLI(t, "scan", "--cluster", "--kubeconfig", kc, "-o", "json")
	if code != cli.ExitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	rep := decode(t, out)
	for _, e := range rep.Errors {
		t.Errorf("the deploy/ role is not enough: %s", e.Message)
	}
	for _, it := range rep.Items {
		if strings.Contains(it.Reason, "could not read") {
			t.Errorf("item %s: %s", it.ID, it.Reason)
		}
	}
	// -n with the same role: the namespace is read with get.
	code, out, stderr = runCLI(t, "scan", "--cluster", "--kubeconfig", kc, "-n", "shop", "-o", "json")
	if code == cli.ExitUsage {
		t.Fatalf("exit 2\n%s", stderr)
	}
	for _, e := range decode(t, out).Errors {
		t.Errorf("-n shop with the deploy/ role: %s", e.Message)
	}
}

// -n: only that namespace; the cluster-wide items are not evaluated, never passed.
func TestNamespaceScope(t *testing.T) {
	t.Parallel()
	kc := env.API.Kubeconfig(t, map[string]string{"aks-prod": adminToken}, "aks-prod")
	code, out, stderr := runCLI(t, "scan", "--cluster", "--kubeconfig", kc, "--namespace", "shop", "-o", "json")
	if code == cli.ExitUsage {
		t.Fatalf("exit 2\n%s", stderr)
	}
	rep := decode(t, out)
	for _, f := range rep.Findings {
		if f.Object.Namespace != "" && f.Object.Namespace != "shop" {
			t.Errorf("finding outside shop: %s/%s %s", f.Object.Namespace, f.Object.Name, f.Message)
		}
		if strings.HasPrefix(f.Check, "live-") {
			t.Errorf("cluster-wide live check ran on one namespace: %s", f.Message)
		}
	}
	if len(rep.Errors) > 0 {
		t.Errorf("errors: %+v", rep.Errors)
	}
	for _, id := range []string{"ops.defender", "cluster.system-node-pools", "ops.gitops"} {
		if it := item(rep, id); it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "namespace shop") {
			t.Errorf("item %s is %s (%s), want not-evaluated for the namespace scope", id, it.Status, it.Reason)
		}
	}
	if len(findings(rep, "naked-pod")) != 1 {
		t.Errorf("naked-pod findings = %+v", findings(rep, "naked-pod"))
	}
}

// --all-contexts: one JSON report per line, in context order, then the summary line.
func TestAllContexts(t *testing.T) {
	t.Parallel()
	kc := env.API.Kubeconfig(t, map[string]string{"a-admin": adminToken, "b-nobody": "no-such-token"}, "a-admin")
	code, out, stderr := runCLI(t, "scan", "--cluster", "--all-contexts", "--kubeconfig", kc, "-o", "json")
	if code != cli.ExitPartial || !strings.Contains(stderr, "1 of 2 clusters could not be read in full (b-nobody)") {
		t.Errorf("exit %d, want 3: one of the two contexts could not be read at all\n%s", code, stderr)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 64<<20)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 2 reports and the summary", len(lines))
	}
	for i, want := range []string{"a-admin", "b-nobody"} {
		validate(t, lines[i])
		rep := decode(t, lines[i])
		if rep.Inputs[0].Source != want {
			t.Errorf("line %d is the report of %s, want %s", i+1, rep.Inputs[0].Source, want)
		}
	}
	if msgs := decodeErrors(t, lines[1]); !strings.Contains(msgs, "unauthorized") {
		t.Errorf("the context with a bad token does not say so: %s", msgs)
	}
	var sum struct {
		FleetSummary []struct {
			Cluster string `json:"cluster"`
			Errors  int    `json:"errors"`
		} `json:"fleetSummary"`
	}
	if err := json.Unmarshal([]byte(lines[2]), &sum); err != nil || len(sum.FleetSummary) != 2 || sum.FleetSummary[1].Errors == 0 {
		t.Errorf("summary line = %s (%v)", lines[2], err)
	}
}

func decodeErrors(t *testing.T, line string) string {
	var msgs []string
	for _, e := range decode(t, line).Errors {
		msgs = append(msgs, e.Message)
	}
	return strings.Join(msgs, "\n")
}

// An API server that goes away mid-scan: the kinds listed so far are kept, the rest are one
// error entry and not evaluated; the scan ends promptly.
func TestAPIServerStoppedMidScan(t *testing.T) {
	t.Parallel()
	second, err := env.StartAPIServer("second")
	if err != nil {
		t.Fatal(err)
	}
	defer second.Stop()
	cfg := second.Config(adminToken)
	var lists atomic.Int32
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(r *http.Request) (*http.Response, error) {
			resp, err := rt.RoundTrip(r)
			if r.URL.Query().Get("limit") != "" && lists.Add(1) == 4 {
				second.Kill()
			}
			return resp, err
		})
	})
	began := time.Now()
	scan := live.LoadConfig(t.Context(), cfg, "second", live.Options{})
	took := time.Since(began)
	if took > 60*time.Second {
		t.Errorf("the scan took %s after the server stopped", took)
	}
	msgs := ""
	for _, e := range scan.Errors {
		msgs += e.Message + "\n"
	}
	if !strings.Contains(msgs, "stopped answering") || !strings.Contains(msgs, "Secret") {
		t.Errorf("errors = %s", msgs)
	}
	if scan.Unlisted["Secret"] == "" || scan.Unlisted["Namespace"] != "" {
		t.Errorf("unlisted = %v: want the kinds after the stop, not those before", scan.Unlisted)
	}
	rep := engine.Run(t.Context(), catalog.MustLoad(), checks.All(), scan, engine.Options{})
	if it := item(rep, "network.internal-load-balancer"); it.Status != report.StatusNotEvaluated {
		t.Errorf("network.internal-load-balancer is %s, want not-evaluated", it.Status)
	}
}

// --cluster --azure: the live objects and the AKS resource (here replayed ARM) in one report.
func TestClusterWithAzure(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	kc := env.API.Kubeconfig(t, map[string]string{"aks-shop": adminToken}, "aks-shop")
	var out, errOut bytes.Buffer
	code := cli.Execute(t.Context(), []string{"scan", "--cluster", "--kubeconfig", kc, "--azure", "--aks-resource-id", azuretest.ClusterID, "-o", "json"},
		cli.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut,
			Azure: &azure.Options{Credential: azuretest.Credential{}, ClientOptions: srv.ClientOptions()}})
	if code != cli.ExitFindings {
		t.Fatalf("exit %d\n%s", code, errOut.String())
	}
	validate(t, out.String())
	rep := decode(t, out.String())
	kinds := map[string]int{}
	for _, in := range rep.Inputs {
		kinds[in.Kind]++
	}
	if kinds["cluster"] != 1 || kinds["arm"] == 0 {
		t.Errorf("inputs = %+v: want the kube context and the ARM resources", rep.Inputs)
	}
	if len(findings(rep, "private-cluster")) != 1 || len(findings(rep, "live-replicas-one-node")) != 1 {
		t.Errorf("want findings from ARM (private-cluster) and from the live API (live-replicas-one-node)")
	}
	// One cluster, judged once: the ARM description with the nodes' observations merged in,
	// not a second cluster built from the nodes (whose pools user and legacy ARM does not have).
	// The live checks judge the nodes themselves (live-node-requests: each pool's requests
	// against its nodes' allocatable), which only the live API shows, whatever else is scanned.
	liveOnly := map[string]bool{}
	for _, c := range livechecks.Checks() {
		liveOnly[c.ID] = true
	}
	for _, f := range rep.Findings {
		if liveOnly[f.Check] {
			continue
		}
		if strings.Contains(f.Message, "node pool user") || strings.Contains(f.Message, "node pool legacy") {
			t.Errorf("the cluster observed from the nodes was judged beside the AKS resource: %s %s", f.Check, f.Message)
		}
	}
	if len(rep.Errors) > 0 {
		t.Errorf("errors: %+v", rep.Errors)
	}
}

// Credentials from an exec plugin, as kubelogin gives them for Microsoft Entra ID clusters.
func TestExecCredentialPlugin(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	plugin := filepath.Join(dir, "fake-kubelogin")
	script := "#!/bin/sh\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}' \"$AKS_TOKEN\"\n"
	if err := os.WriteFile(plugin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["aks"] = &clientcmdapi.Cluster{Server: env.API.URL, CertificateAuthorityData: env.API.CAPEM}
	cfg.AuthInfos["entra"] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
		APIVersion: "client.authentication.k8s.io/v1", Command: plugin, InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
		Env: []clientcmdapi.ExecEnvVar{{Name: "AKS_TOKEN", Value: adminToken}}}}
	cfg.Contexts["aks-entra"] = &clientcmdapi.Context{Cluster: "aks", AuthInfo: "entra"}
	cfg.CurrentContext = "aks-entra"
	kc := filepath.Join(dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, kc); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "scan", "--cluster", "--kubeconfig", kc, "-o", "json")
	if code != cli.ExitFindings {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	rep := decode(t, out)
	if len(rep.Errors) > 0 || rep.Inputs[0].Source != "aks-entra" || rep.Inputs[0].Objects == 0 {
		t.Errorf("inputs %+v, errors %+v", rep.Inputs, rep.Errors)
	}
}
