package custom

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// fixedCluster is a cluster with settings in each state: known, absent and unknown (a pool's
// VM size and the add-ons).
func fixedCluster() *subject.Cluster {
	at := subject.Location{File: "main.tf", Line: 7}
	known := func(v string) subject.String { return subject.KnownString(v, at) }
	c := &subject.Cluster{AzureResource: subject.AzureResource{Name: "azurerm_kubernetes_cluster.main",
		Type: "azurerm_kubernetes_cluster", Input: subject.InputTerraform, Source: at}}
	c.ResourceName = known("aks-main")
	c.SKUTier = known("Standard")
	c.KubernetesVersion = known("1.33.2")
	c.Location = subject.String{Attr: subject.Attr{State: subject.Unknown, Loc: subject.Location{File: "main.tf", Line: 9, Path: "location"}}}
	c.EnableRBAC = subject.KnownBool(true, at)
	c.Addons = map[string]*subject.Addon{}
	c.Tags = subject.Tags{Attr: subject.Attr{State: subject.Known}, V: map[string]subject.String{"team": known("platform")}}
	c.Pools = []*subject.NodePool{
		{AzureResource: subject.AzureResource{Name: "sys", Input: subject.InputTerraform}, Mode: known("System"),
			VMSize: known("Standard_D4s_v5"), Count: subject.Int{Attr: subject.Attr{State: subject.Known}, V: 3}},
		{AzureResource: subject.AzureResource{Name: "gpu", Input: subject.InputTerraform}, Mode: known("User"),
			VMSize: subject.String{Attr: subject.Attr{State: subject.Unknown, Loc: subject.Location{File: "main.tf", Line: 30, Path: "vm_size"}}}},
		{AzureResource: subject.AzureResource{Name: "batch", Input: subject.InputTerraform}, Mode: known("User"),
			VMSize: known("Standard_F8s_v2")},
	}
	return c
}

// judgeCluster runs one cluster expression on the fixed cluster.
func judgeCluster(t *testing.T, target, expr string) *check.Result {
	t.Helper()
	checks, err := Compile([]Spec{{ID: "x", Item: "cluster.sku", Target: target, Expression: expr}})
	if err != nil {
		t.Fatal(err)
	}
	r := check.NewResult(&checks[0].Meta, fixedCluster())
	checks[0].Run(context.Background(), &check.Env{}, fixedCluster(), r)
	return r
}

// An unknown pool setting leaves a comprehension over the pools undecided only when the
// known pools do not decide it, and the undecided verdict names the setting.
func TestUnknownInComprehension(t *testing.T) {
	tests := []struct {
		expr              string
		fails, undecided  bool
		missingMentioning string
	}{
		// batch fails whatever gpu's size is.
		{expr: "cluster.agentPoolProfiles.all(p, p.vmSize.startsWith('Standard_D'))", fails: true},
		{expr: "cluster.agentPoolProfiles.exists(p, p.vmSize == 'Standard_F8s_v2')"},
		// Only gpu's size could make it true.
		{expr: "cluster.agentPoolProfiles.exists(p, p.vmSize.startsWith('Standard_N'))", undecided: true,
			missingMentioning: "cluster.agentPoolProfiles[gpu].vmSize of node pool gpu of cluster azurerm_kubernetes_cluster.main (vm_size at main.tf:30: not resolved"},
		{expr: "cluster.agentPoolProfiles.size() == 3"},
		{expr: "cluster.location == 'westeurope'", undecided: true, missingMentioning: "cluster.location of cluster"},
		{expr: "cluster.location == 'westeurope' || cluster.sku.tier == 'Standard'"},
		{expr: "cluster.location == 'westeurope' && cluster.sku.tier == 'Free'", fails: true},
		{expr: "'team' in cluster.tags && !('env' in cluster.tags)"},
		{expr: "cluster.name == 'aks-main' && !has(cluster.addonProfiles.omsagent)"},
	}
	for _, tt := range tests {
		r := judgeCluster(t, TargetCluster, tt.expr)
		if r.Err() != nil {
			t.Errorf("%s: error %v", tt.expr, r.Err())
			continue
		}
		if got := len(r.Findings()) > 0; got != tt.fails {
			t.Errorf("%s: fails = %v, want %v", tt.expr, got, tt.fails)
		}
		if got := len(r.Missing()) > 0; got != tt.undecided {
			t.Errorf("%s: undecided = %v (%q), want %v", tt.expr, got, r.Missing(), tt.undecided)
		}
		if tt.missingMentioning != "" && (len(r.Missing()) == 0 || !strings.Contains(r.Missing()[0], tt.missingMentioning)) {
			t.Errorf("%s: missing %q, want one with %q", tt.expr, r.Missing(), tt.missingMentioning)
		}
	}
	// A pool rule is judged per pool: batch fails, gpu is undecided, sys passes.
	r := judgeCluster(t, TargetNodePool, "pool.vmSize.startsWith('Standard_D') || pool.vmSize.startsWith('Standard_N')")
	if len(r.Findings()) != 1 || !strings.Contains(r.Findings()[0].Message, "node pool batch") {
		t.Errorf("pool rule findings %+v, want one on batch", r.Findings())
	}
	if len(r.Missing()) != 1 || !strings.HasPrefix(r.Missing()[0], "pool.vmSize of node pool gpu") {
		t.Errorf("pool rule missing %q, want gpu's vmSize", r.Missing())
	}
}

// A running cluster known only through the Kubernetes API has its Azure settings unknown:
// a rule on them is undecided, asking for az aks show output or --azure.
func TestLiveOnlyClusterUndecided(t *testing.T) {
	c := &subject.Cluster{AzureResource: subject.AzureResource{Name: "prod", Input: subject.InputCluster}}
	subject.MarkUnknown(c, subject.Location{})
	checks, err := Compile([]Spec{{ID: "x", Item: "cluster.sku", Target: TargetCluster, Expression: "cluster.sku.tier == 'Standard'"}})
	if err != nil {
		t.Fatal(err)
	}
	r := check.NewResult(&checks[0].Meta, c)
	checks[0].Run(context.Background(), &check.Env{}, c, r)
	if len(r.Findings()) != 0 || len(r.Missing()) != 1 || !strings.Contains(r.Missing()[0], "cluster.sku.tier of cluster prod") ||
		!strings.Contains(r.Missing()[0], "scan with --azure") {
		t.Errorf("findings %+v, missing %q", r.Findings(), r.Missing())
	}
}

// Every setting of the model is exposed: marking all of a resource's settings unknown gives
// as many unknown values as it has settings. A setting added to the model fails this test
// until it is given a name here and in docs/config.md.
func TestEveryModelSettingExposed(t *testing.T) {
	count := func(v any) int {
		n := 0
		rv := reflect.ValueOf(v).Elem()
		for i := range rv.NumField() {
			if rv.Field(i).Kind() != reflect.Struct {
				continue
			}
			if f, ok := rv.Field(i).Type().FieldByName("Attr"); ok && f.Type == reflect.TypeFor[subject.Attr]() && len(f.Index) == 1 {
				n++
			}
		}
		return n
	}
	c := &subject.Cluster{AzureResource: subject.AzureResource{Name: "c"}}
	subject.MarkUnknown(c, subject.Location{})
	u := &unknowns{}
	u.clusterValue(c)
	// The add-ons are nil, one unknown value more.
	if want := count(c) + 1; len(u.fields) != want {
		t.Errorf("cluster: %d settings exposed, the model has %d", len(u.fields), want)
	}
	p := &subject.NodePool{AzureResource: subject.AzureResource{Name: "p"}}
	subject.MarkUnknown(p, subject.Location{})
	u = &unknowns{}
	u.poolValue(c, p, "pool")
	if want := count(p); len(u.fields) != want {
		t.Errorf("pool: %d settings exposed, the model has %d", len(u.fields), want)
	}
	r := &subject.Registry{AzureResource: subject.AzureResource{Name: "r"}}
	subject.MarkUnknown(r, subject.Location{})
	u = &unknowns{}
	u.registryValue(r)
	if want := count(r); len(u.fields) != want {
		t.Errorf("registry: %d settings exposed, the model has %d", len(u.fields), want)
	}
}

// FuzzCustomCheck compiles arbitrary expressions for each target and runs those that compile
// on a cluster with known, absent and unknown settings: nothing may panic (the engine would
// recover a panic as an error; the fuzzer calls the check directly to see it).
func FuzzCustomCheck(f *testing.F) {
	for _, s := range []string{
		"cluster.sku.tier == 'Standard'",
		"cluster.agentPoolProfiles.all(p, p.vmSize.startsWith('Standard_D'))",
		"pool.?osDiskType.orValue('Managed') == 'Ephemeral'",
		"has(cluster.location) && cluster.location in ['westeurope']",
		"cluster.tags.exists(k, k == 'team') || semver(cluster.kubernetesVersion).isGreaterThan(semver('1.30.0'))",
		"registry.sku.name == 'Premium'",
		"object.metadata.name != ''",
		"cluster.location.matches('^west')",
		"string(cluster.location) + 1 == 2",
		// ParseQuantity spends minutes on these (cellib.Quantity refuses them).
		"quantity('1E-5555555555').isInteger()",
		"isQuantity(cluster.location + 'E5555555555')",
	} {
		f.Add(s, s)
	}
	targets := []string{TargetObject, TargetCluster, TargetNodePool, TargetRegistry}
	f.Fuzz(func(t *testing.T, expr, msg string) {
		testutil.WithinBudget(t, 2*time.Second, func() {
			for _, target := range targets {
				checks, err := Compile([]Spec{{ID: "x", Item: "cluster.sku", Target: target, Expression: expr, Message: msg}})
				if err != nil {
					continue
				}
				c := fixedCluster()
				r := check.NewResult(&checks[0].Meta, c)
				switch target {
				case TargetCluster, TargetNodePool:
					checks[0].Run(context.Background(), &check.Env{}, c, r)
				case TargetRegistry:
					reg := &subject.Registry{AzureResource: subject.AzureResource{Name: "acr"}, SKU: subject.KnownString("Premium", subject.Location{})}
					subject.MarkUnknown(reg, subject.Location{})
					checks[0].Run(context.Background(), &check.Env{}, reg, r)
				}
			}
		})
	})
}
