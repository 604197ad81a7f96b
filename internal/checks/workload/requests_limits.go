package workload

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// RequestsLimits finds containers without CPU and memory requests or a memory limit.
var RequestsLimits = check.New(check.Meta{
	ID:       "requests-limits",
	Item:     "dev.requests-limits",
	Title:    "Containers set CPU and memory requests and a memory limit",
	Severity: check.Medium,
	Description: "Every container, init containers included, sets resources.requests.cpu, " +
		"resources.requests.memory and resources.limits.memory. The scheduler places pods by their " +
		"requests; without them nodes are overcommitted, and without a memory limit one container can " +
		"take a node's memory and get other pods evicted.",
	Remediation: "Set resources.requests.cpu, resources.requests.memory and resources.limits.memory from measured usage.",
	Fix:         fixResourcesDoc,
	Settings:    []check.Setting{FixResourcesSetting},
	Example: `spec:
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      resources:
        requests:
          cpu: 250m
          memory: 256Mi
        limits:
          memory: 256Mi`,
	Admission: eachContainerCEL("variables.resourceContainers",
		"!('cpu' in c.?resources.?requests.orValue({})) || !('memory' in c.?resources.?requests.orValue({})) || !('memory' in c.?resources.?limits.orValue({}))",
		"set no requests.cpu, requests.memory or limits.memory"),
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.ResourceContainers() {
		if missing := unsetResources(c.Resources, "requests.cpu", "requests.memory", "limits.memory"); len(missing) > 0 {
			r.FailFixf(c.Path+".resources", c.Name, resourcesFix(c, missing, FixResourcesSetting.Get(env)), "container %q of %s sets no %s", c.Name, kindNoun(w), strings.Join(missing, ", "))
		}
	}
})

// fixResourcesDoc is Meta.Fix of the checks that the fixResources defaults mend.
const fixResourcesDoc = "sets the missing requests and limits from the fixResources defaults; no fix without a default for each missing one, " +
	"nor when a default would put a request above its limit"

// ResourceDefaults are the requests and limits akscheck fix writes where a container sets
// none, by resource name (cpu, memory, ephemeral-storage).
type ResourceDefaults struct {
	Requests map[string]string `yaml:"requests,omitempty" json:"requests,omitempty"`
	Limits   map[string]string `yaml:"limits,omitempty" json:"limits,omitempty"`
}

// FixResourcesSetting gives the requests and limits akscheck fix writes; empty (the default)
// means the resource checks offer no fix, since only the team knows what its apps use.
var FixResourcesSetting = check.NewParam("fixResources",
	"requests and limits akscheck fix writes where a container sets none ({requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}); none by default",
	ResourceDefaults{}, validateResourceDefaults)

func validateResourceDefaults(d ResourceDefaults) error {
	for kind, set := range map[string]map[string]string{"requests": d.Requests, "limits": d.Limits} {
		for name, v := range set {
			switch corev1.ResourceName(name) {
			case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage:
			default:
				return fmt.Errorf("%s.%s: want cpu, memory or ephemeral-storage", kind, name)
			}
			if err := subject.CheckQuantityText(v); err != nil {
				return fmt.Errorf("%s.%s: %.40q is not a quantity akscheck reads: %w", kind, name, v, err)
			}
			if _, err := resource.ParseQuantity(v); err != nil {
				return fmt.Errorf("%s.%s: %q is not a quantity (want a number with an optional suffix, such as 500m or 1Gi)", kind, name, v)
			}
		}
	}
	for name, req := range d.Requests {
		l, ok := d.Limits[name]
		if !ok {
			continue
		}
		// Both parsed above.
		rq, lq := resource.MustParse(req), resource.MustParse(l)
		if rq.Cmp(lq) > 0 {
			return fmt.Errorf("requests.%s %s is above limits.%s %s", name, req, name, l)
		}
	}
	return nil
}

// resourcesFix sets each of missing ("requests.cpu") from the defaults; nil when one has no
// default, or when the result would put a request above its limit (which the API server
// rejects).
func resourcesFix(c subject.Container, missing []string, d ResourceDefaults) *check.Fix {
	requests, limits := corev1.ResourceList{}, corev1.ResourceList{}
	for n, q := range c.Resources.Requests {
		requests[n] = q
	}
	for n, q := range c.Resources.Limits {
		limits[n] = q
	}
	fix := &check.Fix{Note: "defaults, not measured usage: size them from the app's metrics"}
	for _, f := range missing {
		kind, name, _ := strings.Cut(f, ".")
		set, into := d.Requests, requests
		if kind == "limits" {
			set, into = d.Limits, limits
		}
		v, ok := set[name]
		if !ok {
			return nil
		}
		q, err := resource.ParseQuantity(v)
		if err != nil {
			return nil
		}
		into[corev1.ResourceName(name)] = q
		fix.Edits = append(fix.Edits, check.Edit{Op: check.EditSet, Path: c.Path + ".resources." + f, Value: v})
	}
	for n, req := range requests {
		if lim, ok := limits[n]; ok && req.Cmp(lim) > 0 {
			return nil
		}
	}
	return fix
}
