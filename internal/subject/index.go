package subject

import (
	"reflect"
	"slices"
	"sort"
	"strings"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// Index holds every object of a scan and the lookups that cross-object checks need. Every
// lookup is a map access, so checks stay linear in the number of objects.
type Index struct {
	objects   []*Object
	workloads []*Workload
	byKey     *keyedObjects
	// servicesByPair indexes each Service under one pair of its selector (the smallest key),
	// so the candidates for a pod are found from the pod's own labels.
	servicesByPair map[labelPair][]selectingService
	// workloadsByPair indexes each workload under every pair of its pod template labels, so
	// the candidates for a selector are found from one of its pairs.
	workloadsByPair map[labelPair][]*Workload
	hpasByTarget    map[objectKey][]*HPA
	namespaces      map[string]bool
	byType          map[reflect.Type][]Subject
	byKindNs        map[kindNamespace][]*Object
	workloadsByNs   map[string][]*Workload
	policiesByNs    map[string][]*NetworkPolicy
	// clusterPolicies are the cluster-wide network policies, unbound; nsLabels the labels of
	// the Namespace objects of the scan, which their selectors may read.
	clusterPolicies []*NetworkPolicy
	nsLabels        map[string]map[string]string
	byKind          map[string][]*Object
	hpaOf           map[*Object]*HPA
	workloadOf      map[*Object]*Workload
	// grants indexes the RoleBindings and ClusterRoleBindings under each subject that can
	// name a ServiceAccount (see grantKey), so a workload's bindings are a few map accesses.
	grants map[grantKey][]Grant
	// reports joins image scan reports to the workloads that run their images.
	reports *reportIndex
	// workloadsByKey indexes each workload under every key of its pod template labels, and
	// workloadSeq is its place in scan order (see selectors.go).
	workloadsByKey map[string][]*Workload
	workloadSeq    map[*Workload]int
	// budgets are the PodDisruptionBudgets under their selectors' anchors; policyIndexes the
	// network policies of each namespace under theirs.
	budgets       *selectorIndex[*Object]
	policyIndexes map[string]*policyIndex
	// others are the subjects that are no Kubernetes objects (NewIndex's).
	others []Subject
	// beside is set on an index made by Beside, whose own fields index the one object: each
	// lookup merges their answer with the base's. controllers serves Beside on a base.
	beside      *beside
	controllers *controllers
}

// uncontrolledWorkload is the workload view of an object that no controller of the scan
// owns, nil for any other.
func uncontrolledWorkload(o *Object, controlled map[*Object]bool, images *imageCache) *Workload {
	if controlled[o] {
		return nil
	}
	return newWorkload(o, images)
}

type kindNamespace struct{ kind, namespace string }

type objectKey struct{ kind, namespace, name string }

// grantKey is a binding subject as it can name ServiceAccounts: kind ServiceAccount with its
// namespace and name, or a Group (system:serviceaccounts, system:serviceaccounts:<ns>) by name;
// a User named system:serviceaccount:<ns>:<name> is keyed as the ServiceAccount it is.
type grantKey struct{ kind, namespace, name string }

// Grant is a RoleBinding or ClusterRoleBinding of the scan that binds a subject to a role.
type Grant struct {
	// Binding is the RoleBinding or ClusterRoleBinding.
	Binding *Object
	// Role is the Role or ClusterRole it binds.
	Role rbacv1.RoleRef
}

// HPA is a HorizontalPodAutoscaler of either autoscaling/v1 or v2, in the v2 shape.
type HPA struct {
	*Object
	Target      autoscalingv2.CrossVersionObjectReference
	MinReplicas int32
	Metrics     []autoscalingv2.MetricSpec
}

// indexedBodies are the kinds whose bodies NewIndex reads (besides the workloads' and the
// network policies', and a Service's selector, which Pack keeps): a packed body of another
// kind is not decoded to find it is not one.
var indexedBodies = map[string]bool{"PodDisruptionBudget": true, "RoleBinding": true,
	"ClusterRoleBinding": true, "HorizontalPodAutoscaler": true}

// accessGrant are the kinds that grant access to a namespace rather than place anything in
// it.
var accessGrant = map[string]bool{"Role": true, "RoleBinding": true}

// NewIndexOf builds the index of a whole scan: its Kubernetes objects and its other subjects.
func NewIndexOf(s *Scan) *Index { return NewIndex(s.Objects, s.Others...) }

// NewIndex builds the index of Kubernetes objects, keeping their order, and of other subjects
// (clusters, Dockerfiles, scan reports).
func NewIndex(objects []*Object, others ...Subject) *Index {
	ix := &Index{
		objects:         objects,
		byKey:           newKeyedObjects(len(objects)),
		servicesByPair:  map[labelPair][]selectingService{},
		workloadsByPair: map[labelPair][]*Workload{},
		workloadsByKey:  map[string][]*Workload{},
		workloadSeq:     map[*Workload]int{},
		budgets:         newSelectorIndex[*Object](),
		hpasByTarget:    map[objectKey][]*HPA{},
		namespaces:      map[string]bool{},
		byType:          map[reflect.Type][]Subject{},
		byKindNs:        map[kindNamespace][]*Object{},
		workloadsByNs:   map[string][]*Workload{},
		policiesByNs:    map[string][]*NetworkPolicy{},
		byKind:          map[string][]*Object{},
		hpaOf:           map[*Object]*HPA{},
		workloadOf:      map[*Object]*Workload{},
		grants:          map[grantKey][]Grant{},
		controllers:     &controllers{},
	}
	// Namespaces in order of first sight: declared by a Namespace object, or implied by
	// the workloads placed in them ("" is the one objects that name none are applied to).
	var nsOrder []string
	nsObjects := map[string]*Object{}
	nsFirst := map[string]*Object{}
	nsHolds := map[string]bool{}
	images := &imageCache{}
	policySets := namespaceSets{}
	controlled := controlledInScan(objects)
	for _, o := range objects {
		ix.byKey.put(o)
		if !controlled[o] {
			ix.add(o)
		}
		ix.byKind[o.Kind] = append(ix.byKind[o.Kind], o)
		kn := kindNamespace{o.Kind, o.Namespace}
		ix.byKindNs[kn] = append(ix.byKindNs[kn], o)
		// An object of a controller in the scan is judged at its controller: no workload view
		// (a Pod's is a copy of its metadata and spec).
		if w := uncontrolledWorkload(o, controlled, images); w != nil {
			ix.workloads = append(ix.workloads, w)
			ix.workloadsByNs[o.Namespace] = append(ix.workloadsByNs[o.Namespace], w)
			ix.workloadOf[o] = w
			ix.workloadSeq[w] = len(ix.workloads)
			ix.add(w)
			for k, v := range w.PodLabels() {
				key := pairKey(o.Namespace, k, v)
				ix.workloadsByPair[key] = append(ix.workloadsByPair[key], w)
				kk := keyKey(o.Namespace, k)
				ix.workloadsByKey[kk] = append(ix.workloadsByKey[kk], w)
			}
		}
		if !accessGrant[o.Kind] {
			nsHolds[o.Namespace] = true
		}
		if np := newNetworkPolicyIn(o, policySets); np != nil {
			if np.ClusterWide() {
				ix.clusterPolicies = append(ix.clusterPolicies, np)
			} else {
				ix.policiesByNs[o.Namespace] = append(ix.policiesByNs[o.Namespace], np)
			}
		}
		nsName := o.Namespace
		if o.Kind == "Namespace" && o.APIVersion == "v1" {
			nsName = o.Meta.Name
			if _, seen := nsObjects[nsName]; !seen || nsObjects[nsName] == nil {
				nsObjects[nsName] = o
			}
		}
		// A kind akscheck does not decode may be cluster-scoped: it implies no namespace.
		if (nsName != "" || (o.Typed != nil && !IsClusterScoped(o.Kind))) && !ix.namespaces[nsName] {
			ix.namespaces[nsName] = true
			nsOrder = append(nsOrder, nsName)
			nsFirst[nsName] = o
		}
		if selector, packed := o.packedSelector(); packed && o.Kind == "Service" {
			// Pack kept it: the body is not decoded.
			ix.addService(o, selector)
		}
		var body any
		if !o.Packed() || indexedBodies[o.Kind] {
			body = o.Body()
		}
		switch t := body.(type) {
		case *corev1.Service:
			ix.addService(o, t.Spec.Selector)
		case *policyv1.PodDisruptionBudget:
			ix.addBudget(o, t)
		case *rbacv1.RoleBinding:
			ix.addGrants(o, t.RoleRef, t.Subjects)
		case *rbacv1.ClusterRoleBinding:
			ix.addGrants(o, t.RoleRef, t.Subjects)
		case *autoscalingv2.HorizontalPodAutoscaler:
			h := &HPA{Object: o, Target: t.Spec.ScaleTargetRef, MinReplicas: 1, Metrics: t.Spec.Metrics}
			if t.Spec.MinReplicas != nil {
				h.MinReplicas = *t.Spec.MinReplicas
			}
			ix.addHPA(h)
		case *autoscalingv1.HorizontalPodAutoscaler:
			h := &HPA{Object: o, MinReplicas: 1, Target: autoscalingv2.CrossVersionObjectReference{
				Kind: t.Spec.ScaleTargetRef.Kind, Name: t.Spec.ScaleTargetRef.Name, APIVersion: t.Spec.ScaleTargetRef.APIVersion}}
			if t.Spec.MinReplicas != nil {
				h.MinReplicas = *t.Spec.MinReplicas
			}
			if t.Spec.TargetCPUUtilizationPercentage != nil {
				h.Metrics = []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType,
					Resource: &autoscalingv2.ResourceMetricSource{Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{
						Type: autoscalingv2.UtilizationMetricType, AverageUtilization: t.Spec.TargetCPUUtilizationPercentage}}}}
			}
			ix.addHPA(h)
		}
	}
	for _, name := range nsOrder {
		// A namespace only implied by the grants of access to it (a Role and RoleBinding
		// in default) holds nothing of this estate: its rules are not this estate's to judge.
		if nsObjects[name] == nil && !nsHolds[name] {
			continue
		}
		// An object that names no namespace (and no --namespace gave one) lands in the
		// namespace it is applied to: that namespace's rules apply to it.
		first := nsFirst[name]
		ix.add(&Namespace{Name: name, Object: nsObjects[name], Implicit: name == "", Source: first.Source, Input: first.Input})
	}
	ix.bindClusterPolicies(nsObjects)
	ix.buildPolicyIndexes()
	for _, s := range others {
		ix.add(s)
	}
	ix.reports = newReportIndex(ix.workloads, others)
	ix.others = others
	return ix
}

// InNamespace returns the objects of a kind in a namespace, in scan order.
func (ix *Index) InNamespace(kind, namespace string) []*Object {
	own := ix.byKindNs[kindNamespace{kind, namespace}]
	if b := ix.beside; b != nil {
		return besideMerge(b, b.base.InNamespace(kind, namespace), objectOf, own)
	}
	return own
}

// NetworkPolicies returns the network policies (of every engine) that apply in a namespace:
// its own, then the cluster-wide ones (CiliumClusterwideNetworkPolicy, Calico
// GlobalNetworkPolicy) whose selectors allow it, bound to it.
func (ix *Index) NetworkPolicies(namespace string) []*NetworkPolicy {
	if b := ix.beside; b != nil {
		return besidePolicies(b, b.base.NetworkPolicies(namespace), ix.policiesByNs[namespace])
	}
	if ps, ok := ix.policiesByNs[namespace]; ok || len(ix.clusterPolicies) == 0 {
		return ps
	}
	// A namespace no object of the scan named: the cluster-wide policies, bound now.
	return ix.withClusterPolicies(namespace, nil)
}

// bindClusterPolicies adds to each namespace of the scan the cluster-wide policies that apply
// in it, once, so that lookups stay map accesses and the index is never written after it is
// built.
func (ix *Index) bindClusterPolicies(nsObjects map[string]*Object) {
	if len(ix.clusterPolicies) == 0 {
		return
	}
	ix.nsLabels = map[string]map[string]string{}
	for name, o := range nsObjects {
		if o != nil {
			ix.nsLabels[name] = o.Meta.Labels
		}
	}
	for name := range ix.namespaces {
		ix.policiesByNs[name] = ix.withClusterPolicies(name, ix.policiesByNs[name])
	}
	if _, ok := ix.policiesByNs[""]; ok {
		ix.policiesByNs[""] = ix.withClusterPolicies("", ix.policiesByNs[""])
	}
}

// UndecidedPolicies returns the cluster-wide policies that do not apply in a namespace only
// because they select namespaces by labels and its Namespace object is not in the scan:
// whether they apply there cannot be told from the scan, and a message should say so.
func (ix *Index) UndecidedPolicies(namespace string) []*NetworkPolicy {
	if b := ix.beside; b != nil {
		// Beside adds no cluster-wide policy and no Namespace: the base's answer stands.
		return b.base.UndecidedPolicies(namespace)
	}
	if _, known := ix.nsLabels[namespace]; known {
		return nil
	}
	var out []*NetworkPolicy
	for _, p := range ix.clusterPolicies {
		if b := p.bind(namespace, nil); !b.appliesIn() && b.readsNamespaceLabels() {
			out = append(out, b)
		}
	}
	return out
}

func (ix *Index) withClusterPolicies(namespace string, own []*NetworkPolicy) []*NetworkPolicy {
	out := slices.Clip(own)
	for _, p := range ix.clusterPolicies {
		if b := p.bind(namespace, ix.nsLabels[namespace]); b.appliesIn() {
			out = append(out, b)
		}
	}
	return out
}

// HPA returns the autoscaler view of a HorizontalPodAutoscaler object, or nil.
func (ix *Index) HPA(o *Object) *HPA {
	if b := ix.beside; b != nil && ix.hpaOf[o] == nil {
		if o == b.replaced {
			return nil
		}
		return b.base.HPA(o)
	}
	return ix.hpaOf[o]
}

// WorkloadOf returns the workload view of an object, or nil when it runs no pods.
func (ix *Index) WorkloadOf(o *Object) *Workload {
	if b := ix.beside; b != nil && ix.workloadOf[o] == nil {
		if o == b.replaced {
			return nil
		}
		return b.base.WorkloadOf(o)
	}
	return ix.workloadOf[o]
}

// OfKind returns every object of a kind across namespaces, in scan order.
func (ix *Index) OfKind(kind string) []*Object {
	if b := ix.beside; b != nil {
		return besideMerge(b, b.base.OfKind(kind), objectOf, ix.byKind[kind])
	}
	return ix.byKind[kind]
}

// WorkloadsIn returns the workloads of a namespace, in scan order.
func (ix *Index) WorkloadsIn(namespace string) []*Workload {
	if b := ix.beside; b != nil {
		return besideMerge(b, b.base.WorkloadsIn(namespace), workloadObject, ix.workloadsByNs[namespace])
	}
	return ix.workloadsByNs[namespace]
}

func (ix *Index) add(s Subject) {
	t := reflect.TypeOf(s)
	ix.byType[t] = append(ix.byType[t], s)
}

// Subjects returns every subject of a type (see TypeOf), in scan order; on an index made by
// Beside, those of its one object.
func (ix *Index) Subjects(t reflect.Type) []Subject { return ix.byType[t] }

func (ix *Index) addHPA(h *HPA) {
	ix.hpaOf[h.Object] = h
	k := objectKey{h.Target.Kind, h.Namespace, h.Target.Name}
	ix.hpasByTarget[k] = append(ix.hpasByTarget[k], h)
}

func smallestPair(namespace string, selector map[string]string) (labelPair, bool) {
	if len(selector) == 0 {
		return labelPair{}, false
	}
	keys := make([]string, 0, len(selector))
	for k := range selector {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return pairKey(namespace, keys[0], selector[keys[0]]), true
}

// labelPair is a namespace and one label, key and value: what the selector indexes file
// objects under. Three strings and not one joined: a lookup allocates nothing.
type labelPair struct{ namespace, key, value string }

func pairKey(namespace, k, v string) labelPair { return labelPair{namespace, k, v} }

// Objects returns every object in scan order.
func (ix *Index) Objects() []*Object {
	if b := ix.beside; b != nil {
		return besideMerge(b, b.base.Objects(), objectOf, ix.objects)
	}
	return ix.objects
}

// Workloads returns every object that runs pods, in scan order.
func (ix *Index) Workloads() []*Workload {
	if b := ix.beside; b != nil {
		return besideMerge(b, b.base.Workloads(), workloadObject, ix.workloads)
	}
	return ix.workloads
}

// Get returns the object of a kind, namespace and name, or nil.
func (ix *Index) Get(kind, namespace, name string) *Object {
	o := ix.byKey.get(objectKey{kind, namespace, name})
	if b := ix.beside; b != nil && o == nil {
		// The one object is the last of the scan: it wins over the base's of its key.
		if o = b.base.Get(kind, namespace, name); o == b.replaced {
			return nil
		}
	}
	return o
}

// ServicesSelecting returns the Services of the workload's namespace whose selector matches
// its pod template labels.
func (ix *Index) ServicesSelecting(w *Workload) []*Object {
	if b := ix.beside; b != nil {
		return besideSorted(b, b.base.ServicesSelecting(w), objectOf, b.own.ServicesSelecting(w),
			func(x, y *Object) bool { return x.Name() < y.Name() })
	}
	podLabels := w.PodLabels()
	if len(podLabels) == 0 {
		return nil
	}
	var out []*Object
	for k, v := range podLabels {
		for _, svc := range ix.servicesByPair[pairKey(w.Namespace, k, v)] {
			if setSelects(svc.selector, podLabels) {
				out = append(out, svc.object)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// addService files a Service under the smallest pair of its selector.
func (ix *Index) addService(o *Object, selector map[string]string) {
	if key, ok := smallestPair(o.Namespace, selector); ok {
		ix.servicesByPair[key] = append(ix.servicesByPair[key], selectingService{o, selector})
	}
}

// selectingService is a Service of the index with its selector: the view holds the
// object and the selector's map, not the typed Service, whose body a scan may pack.
type selectingService struct {
	object   *Object
	selector map[string]string
}

// WorkloadsSelectedBy returns the workloads of a namespace whose pod template labels match
// a Service-style selector (every pair must match), in scan order; none for an empty selector.
func (ix *Index) WorkloadsSelectedBy(namespace string, selector map[string]string) []*Workload {
	if b := ix.beside; b != nil {
		return besideMerge(b, b.base.WorkloadsSelectedBy(namespace, selector), workloadObject,
			b.own.WorkloadsSelectedBy(namespace, selector))
	}
	var candidates []*Workload
	first := true
	for k, v := range selector {
		c := ix.workloadsByPair[pairKey(namespace, k, v)]
		if first || len(c) < len(candidates) {
			candidates, first = c, false
		}
	}
	var out []*Workload
	for _, w := range candidates {
		if setSelects(selector, w.PodLabels()) {
			out = append(out, w)
		}
	}
	return out
}

// HPAsFor returns the autoscalers whose scale target is the object.
func (ix *Index) HPAsFor(o *Object) []*HPA {
	own := ix.hpasByTarget[objectKey{o.Kind, o.Namespace, o.Meta.Name}]
	if b := ix.beside; b != nil {
		return besideMerge(b, b.base.HPAsFor(o), hpaObject, own)
	}
	return own
}

// ServiceAccountOf returns the ServiceAccount a workload's pods run as (Workload.ServiceAccount),
// when it is in the scan.
func (ix *Index) ServiceAccountOf(w *Workload) *corev1.ServiceAccount {
	name, _ := w.ServiceAccount()
	if o := ix.Get("ServiceAccount", w.Namespace, name); o != nil {
		sa, _ := o.Body().(*corev1.ServiceAccount)
		return sa
	}
	return nil
}

// PersistentVolumeClaim returns a claim of the namespace when it is in the scan.
func (ix *Index) PersistentVolumeClaim(namespace, name string) *corev1.PersistentVolumeClaim {
	if o := ix.Get("PersistentVolumeClaim", namespace, name); o != nil {
		pvc, _ := o.Body().(*corev1.PersistentVolumeClaim)
		return pvc
	}
	return nil
}

// serviceAccountUser is the user name a ServiceAccount authenticates as.
const serviceAccountUser = "system:serviceaccount:"

func (ix *Index) addGrants(o *Object, role rbacv1.RoleRef, subjects []rbacv1.Subject) {
	seen := map[grantKey]bool{}
	for _, s := range subjects {
		var k grantKey
		switch s.Kind {
		case rbacv1.ServiceAccountKind:
			ns := s.Namespace
			if ns == "" {
				// The authorizer reads a RoleBinding's ServiceAccount without a namespace as one
				// of the binding's own namespace (a ClusterRoleBinding must name it).
				ns = o.Namespace
			}
			k = grantKey{rbacv1.ServiceAccountKind, ns, s.Name}
		case rbacv1.UserKind:
			rest, isSA := strings.CutPrefix(s.Name, serviceAccountUser)
			ns, name, ok := strings.Cut(rest, ":")
			if !isSA || !ok {
				continue
			}
			k = grantKey{rbacv1.ServiceAccountKind, ns, name}
		case rbacv1.GroupKind:
			if s.Name != "system:serviceaccounts" && !strings.HasPrefix(s.Name, "system:serviceaccounts:") {
				continue
			}
			k = grantKey{kind: rbacv1.GroupKind, name: s.Name}
		default:
			continue
		}
		if !seen[k] {
			seen[k] = true
			ix.grants[k] = append(ix.grants[k], Grant{Binding: o, Role: role})
		}
	}
}

// GrantsOf returns the RoleBindings and ClusterRoleBindings of the scan that bind a
// ServiceAccount: by name (as a ServiceAccount subject, or as the user
// system:serviceaccount:<ns>:<name>), or through the groups of all ServiceAccounts
// (system:serviceaccounts) and of its namespace (system:serviceaccounts:<ns>). They come
// ClusterRoleBindings first, then by namespace and name.
func (ix *Index) GrantsOf(namespace, name string) []Grant {
	var out []Grant
	seen := map[*Object]bool{}
	for _, k := range []grantKey{
		{rbacv1.ServiceAccountKind, namespace, name},
		{kind: rbacv1.GroupKind, name: "system:serviceaccounts:" + namespace},
		{kind: rbacv1.GroupKind, name: "system:serviceaccounts"},
	} {
		for _, g := range ix.grantsOf(k) {
			if !seen[g.Binding] {
				seen[g.Binding] = true
				out = append(out, g)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Binding, out[j].Binding
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Meta.Name < b.Meta.Name
	})
	return out
}

// grantsOf returns the grants filed under a key, in scan order.
func (ix *Index) grantsOf(k grantKey) []Grant {
	if b := ix.beside; b != nil {
		return besideMerge(b, b.base.grantsOf(k), grantObject, ix.grants[k])
	}
	return ix.grants[k]
}
