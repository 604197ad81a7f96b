package guardrails

import (
	"fmt"
	"math"
	"slices"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/akscheck/akscheck/internal/subject"
)

// The sizing rules' constants (docs/guardrails.md).
const (
	// baseCPU and baseMemory are the LimitRange's default requests when no container of the
	// namespace declares one: small, as the AKS docs' examples are.
	baseCPU    = 100             // millicores
	baseMemory = 128 * (1 << 20) // bytes
	// limitFactor makes a default limit from the default request when no container declares
	// a limit.
	limitFactor = 2
	// floorPods is the room a quota leaves at least: that many pods of the default size, so
	// that a namespace without workloads yet can start.
	floorPods = 4
	// cpuStep and memoryStep are what quota values are rounded up to.
	cpuStep    = 100            // millicores
	memoryStep = 64 * (1 << 20) // bytes
)

// resource amounts in the order of the quota keys: CPU requests (millicores), memory requests
// (bytes), CPU limits (millicores), memory limits (bytes).
type amounts [4]int64

const (
	reqCPU = iota
	reqMem
	limCPU
	limMem
)

var quotaKeys = [4]corev1.ResourceName{corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory, corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory}

// resourceOf is the resource (cpu or memory) of a quota key's index.
func resourceOf(i int) corev1.ResourceName {
	if i == reqCPU || i == limCPU {
		return corev1.ResourceCPU
	}
	return corev1.ResourceMemory
}

func format(i int, v int64) string {
	if resourceOf(i) == corev1.ResourceCPU {
		return resource.NewMilliQuantity(v, resource.DecimalSI).String()
	}
	return resource.NewQuantity(v, resource.BinarySI).String()
}

func amount(res corev1.ResourceName, q resource.Quantity) int64 {
	if res == corev1.ResourceCPU {
		return q.MilliValue()
	}
	return q.Value()
}

// defaults are what admission fills in for a container that sets no request or limit: a
// LimitRange's Container defaultRequest and default.
type defaults struct {
	request, limit corev1.ResourceList
}

// containers are the containers of the namespace's workloads that take resources.
func (g *generator) containers() []subject.Container {
	var out []subject.Container
	for _, w := range g.ix.WorkloadsIn(g.ns) {
		out = append(out, w.ResourceContainers()...)
	}
	return out
}

// limitRange writes the LimitRange the limit-range check asks for, and returns the container
// defaults the namespace will have: the existing LimitRange's when the check passes.
//
// The rule: defaultRequest is the median of the requests the namespace's containers declare
// (100m CPU and 128Mi memory when none does); default (the limit) is the median of the limits
// they declare (twice the default request when none does), raised to at least the default
// request and to the largest request of a container that declares no limit, so that no
// existing container ends up with a request above its default limit (which admission rejects).
func (g *generator) limitRange() (*Object, defaults) {
	if !g.has(CheckLimitRange) {
		for _, o := range g.ix.InNamespace("LimitRange", g.ns) {
			lr, ok := o.Body().(*corev1.LimitRange)
			if !ok {
				continue
			}
			for _, l := range lr.Spec.Limits {
				if l.Type == corev1.LimitTypeContainer && len(l.Default) > 0 && len(l.DefaultRequest) > 0 {
					g.note("skipped the LimitRange: LimitRange %s gives containers defaults; the quota counts containers without requests at its values", o.Name())
					return nil, defaults{request: l.DefaultRequest, limit: l.Default}
				}
			}
		}
		return nil, defaults{}
	}
	for _, o := range g.ix.InNamespace("LimitRange", g.ns) {
		g.note("LimitRange %s gives containers no default and defaultRequest; the generated one adds them (with several, which default a container gets is not defined: merge them)", o.Name())
	}
	cs := g.containers()
	d := defaults{request: corev1.ResourceList{}, limit: corev1.ResourceList{}}
	var why []string
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		base := int64(baseCPU)
		if res == corev1.ResourceMemory {
			base = baseMemory
		}
		var reqs, lims []int64
		var unlimited int64 // the largest request of a container without a limit
		for _, c := range cs {
			q, hasReq := c.Resources.Requests[res]
			if hasReq {
				reqs = append(reqs, amount(res, q))
			}
			if l, ok := c.Resources.Limits[res]; ok {
				lims = append(lims, amount(res, l))
			} else if hasReq {
				unlimited = max(unlimited, amount(res, q))
			}
		}
		idx := reqCPU
		if res == corev1.ResourceMemory {
			idx = reqMem
		}
		req, reqWhy := median(reqs), fmt.Sprintf("the median of the %s requests its containers declare, %d", res, len(reqs))
		if len(reqs) == 0 {
			req, reqWhy = base, fmt.Sprintf("no container declares a %s request: the base value", res)
		}
		lim, limWhy := median(lims), fmt.Sprintf("the median of the %s limits declared, %d", res, len(lims))
		if len(lims) == 0 {
			lim, limWhy = req*limitFactor, fmt.Sprintf("no container declares a %s limit: %d x the default request", res, limitFactor)
		}
		if req > lim {
			lim, limWhy = req, "raised to the default request"
		}
		if unlimited > lim {
			lim, limWhy = unlimited, fmt.Sprintf("raised to %s, the largest request of a container without a %s limit", format(idx, unlimited), res)
		}
		d.request[res] = quantity(idx, req)
		d.limit[res] = quantity(idx, lim)
		why = append(why, fmt.Sprintf("%s: defaultRequest %s (%s); default %s (%s).", res, format(idx, req), reqWhy, format(idx, lim), limWhy))
	}
	lr := &corev1.LimitRange{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "LimitRange"},
		ObjectMeta: g.meta("LimitRange", "container-defaults"),
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type: corev1.LimitTypeContainer, Default: d.limit, DefaultRequest: d.request,
		}}},
	}
	comment := append([]string{"Container defaults for " + g.ns + ": what a container that sets no request or limit gets."}, why...)
	return &Object{Kind: "LimitRange", Name: lr.Name, Obj: lr, Comment: header(comment)}, d
}

func quantity(i int, v int64) resource.Quantity {
	if resourceOf(i) == corev1.ResourceCPU {
		return *resource.NewMilliQuantity(v, resource.DecimalSI)
	}
	return *resource.NewQuantity(v, resource.BinarySI)
}

// median is the lower median of values (a value some container declares).
func median(values []int64) int64 {
	if len(values) == 0 {
		return 0
	}
	s := slices.Clone(values)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// quota writes the ResourceQuota the resource-quota check asks for. The rule: each workload's
// pods (replicas, or its autoscaler's maxReplicas, existing or generated; a DaemonSet's pods
// on Options.Nodes nodes; a Job's parallelism; a Pod, one) times the pod's requests and limits
// (its containers' own, else the LimitRange defaults, as admission fills them in; init
// containers count as the scheduler counts them), summed over the namespace, times the
// headroom, rounded up to 100m of CPU and 64Mi of memory, and never below room for four pods
// of the default size. limits.cpu is left out when some container would have no CPU limit.
func (g *generator) quota(d defaults) *Object {
	if !g.has(CheckResourceQuota) {
		if qs := g.ix.InNamespace("ResourceQuota", g.ns); len(qs) > 0 {
			g.note("skipped the ResourceQuota: ResourceQuota %s already limits the namespace's compute", qs[0].Name())
		}
		return nil
	}
	for _, o := range g.ix.InNamespace("ResourceQuota", g.ns) {
		g.note("ResourceQuota %s does not limit requests.cpu, requests.memory and limits.memory; the generated quota adds them, and Kubernetes enforces both", o.Name())
	}
	var total amounts
	var missing [4][]string
	var lines []string
	var pods int64
	for _, w := range g.ix.WorkloadsIn(g.ns) {
		n, why := g.podsOf(w)
		per, miss := podAmounts(w, d)
		for i := range per {
			total[i] = satAdd(total[i], satMul(per[i], n))
			for _, c := range miss[i] {
				missing[i] = append(missing[i], fmt.Sprintf("container %q of %s %s", c, w.Kind, w.Name()))
			}
		}
		pods = satAdd(pods, n)
		lines = append(lines, fmt.Sprintf("  %s %s: %d pod(s) (%s) x requests %s CPU, %s memory; limits %s CPU, %s memory",
			w.Kind, w.Name(), n, why, format(reqCPU, per[reqCPU]), format(reqMem, per[reqMem]), format(limCPU, per[limCPU]), format(limMem, per[limMem])))
	}
	hard := corev1.ResourceList{}
	var sizing []string
	for i, key := range quotaKeys {
		if i == limCPU && len(missing[i]) > 0 {
			g.note("the ResourceQuota leaves out limits.cpu: %s set no CPU limit and no LimitRange default gives one, so a CPU limit quota would reject their pods", strings.Join(missing[i], ", "))
			continue
		}
		if len(missing[i]) > 0 {
			g.note("%s set no %s and no LimitRange default gives one: the quota's %s will reject their pods until they do", strings.Join(missing[i], ", "), key, key)
		}
		step := int64(cpuStep)
		def := d.request
		if i == limCPU || i == limMem {
			def = d.limit
		}
		if resourceOf(i) == corev1.ResourceMemory {
			step = memoryStep
		}
		sized := roundUp(satFloat(float64(total[i])*g.opts.Headroom), step)
		v, why := sized, fmt.Sprintf("%s x %s headroom", format(i, total[i]), trimFloat(g.opts.Headroom))
		if q, ok := def[resourceOf(i)]; ok {
			if floor := roundUp(satMul(floorPods, amount(resourceOf(i), q)), step); floor > v {
				v, why = floor, fmt.Sprintf("the floor: room for %d pods at the default %s", floorPods, format(i, amount(resourceOf(i), q)))
			}
		}
		hard[key] = quantity(i, v)
		sizing = append(sizing, fmt.Sprintf("%s %s = %s, rounded up.", key, format(i, v), why))
	}
	rq := &corev1.ResourceQuota{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ResourceQuota"},
		ObjectMeta: g.meta("ResourceQuota", "compute"),
		Spec:       corev1.ResourceQuotaSpec{Hard: hard},
	}
	comment := []string{fmt.Sprintf("Compute quota for %s, sized from its %d workload(s), %d pod(s) at full scale:", g.ns, len(lines), pods)}
	comment = append(comment, lines...)
	comment = append(comment, sizing...)
	return &Object{Kind: "ResourceQuota", Name: rq.Name, Obj: rq, Comment: header(comment)}
}

func roundUp(v, step int64) int64 {
	if v <= 0 {
		return 0
	}
	if v > math.MaxInt64-step {
		return v // a value this large (an input's typo) is not rounded past int64
	}
	return (v + step - 1) / step * step
}

// satAdd, satMul and satFloat keep sums of the input's quantities (which may be absurd) at
// the int64 maximum instead of wrapping around to a negative quota.
func satAdd(a, b int64) int64 {
	if a > 0 && b > math.MaxInt64-a {
		return math.MaxInt64
	}
	return a + b
}

func satMul(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

func satFloat(f float64) int64 {
	f = math.Ceil(f)
	if f >= math.MaxInt64 {
		return math.MaxInt64
	}
	if f <= 0 || math.IsNaN(f) {
		return 0
	}
	return int64(f)
}

// podsOf is how many pods of a workload the quota must hold at once, and why.
func (g *generator) podsOf(w *subject.Workload) (int64, string) {
	switch t := w.Body().(type) {
	case *batchv1.Job:
		if finished(t) {
			return 0, "finished" // a running cluster's finished Job holds no pod against the quota
		}
		return parallelism(t.Spec.Parallelism), "its parallelism"
	case *batchv1.CronJob:
		return parallelism(t.Spec.JobTemplate.Spec.Parallelism), "its job's parallelism"
	}
	switch {
	case w.Kind == "DaemonSet":
		return int64(g.opts.Nodes), fmt.Sprintf("one on each of %d nodes", g.opts.Nodes)
	case w.HasReplicas:
		n, why := int64(w.Replicas), "its replicas"
		if m := max(existingMax(g.ix, w), g.hpaMax[w]); int64(m) > n {
			n, why = int64(m), "its autoscaler's maxReplicas"
		}
		return n, why
	}
	return 1, "one pod"
}

// finished reports whether a Job (as a running cluster shows it) completed or failed.
func finished(j *batchv1.Job) bool {
	for _, c := range j.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func parallelism(p *int32) int64 {
	if p == nil {
		return 1
	}
	return int64(max(*p, 0))
}

// podAmounts is what one pod of the workload counts against a quota: each container's request
// and limit, else the defaults admission fills in (a container with a limit and no request
// gets the limit as its request); app containers and sidecars summed, an init container
// counting alone when it is larger. missing names the containers left without a value.
func podAmounts(w *subject.Workload, d defaults) (amounts, [4][]string) {
	var sum, initMax amounts
	var missing [4][]string
	for _, c := range w.ResourceContainers() {
		var a amounts
		for i := range a {
			res := resourceOf(i)
			req := i == reqCPU || i == reqMem
			var q resource.Quantity
			var ok bool
			if req {
				if q, ok = c.Resources.Requests[res]; !ok {
					if q, ok = c.Resources.Limits[res]; !ok {
						if q, ok = d.request[res]; !ok {
							q, ok = d.limit[res]
						}
					}
				}
			} else {
				q, ok = c.Resources.Limits[res]
				if !ok {
					q, ok = d.limit[res]
				}
			}
			if !ok {
				missing[i] = append(missing[i], c.Name)
				continue
			}
			a[i] = amount(res, q)
		}
		if c.Init && !c.Sidecar {
			for i := range a {
				initMax[i] = max(initMax[i], a[i])
			}
			continue
		}
		for i := range a {
			sum[i] = satAdd(sum[i], a[i])
		}
	}
	for i := range sum {
		sum[i] = max(sum[i], initMax[i])
	}
	return sum, missing
}
