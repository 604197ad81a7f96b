package subject

import (
	"slices"
	"sort"
	"sync"
)

// beside is what an index made by Index.Beside adds to its own fields (which index the one
// object): the index of the others, and the object that the one replaces there.
type beside struct {
	base     *Index
	replaced *Object
	// own is the index of the one object alone, for the lookups that compute their answer.
	own *Index
}

// controllers are the workloads an index's objects name as their controller, found once
// per index for Beside: an object whose key is among them controls objects of the index.
type controllers struct {
	once sync.Once
	keys map[objectKey]bool
}

func (ix *Index) controllerKeys() map[objectKey]bool {
	ix.controllers.once.Do(func() {
		ix.controllers.keys = map[objectKey]bool{}
		for _, o := range ix.objects {
			for i := range o.Meta.OwnerReferences {
				ref := &o.Meta.OwnerReferences[i]
				if ref.Controller != nil && *ref.Controller && IsWorkloadKind(ref.Kind) {
					ix.controllers.keys[objectKey{ref.Kind, o.Namespace, ref.Name}] = true
				}
			}
		}
	})
	return ix.controllers.keys
}

// Beside returns an index for judging obj beside the objects of ix: every lookup answers as
// NewIndex would over ix's objects less replaced (the earlier version of obj there, or nil)
// with obj appended, at the cost of what it returns rather than of the whole index. Its
// subjects are obj's own: it is for an engine that judges obj alone (the admission webhook),
// the others being context. ix must not be an index made by Beside, and is only read.
//
// It returns nil when obj or replaced would change what NewIndex derives from the other
// objects, and the index must be built anew: a Namespace or a cluster-wide network policy
// (read with every namespace's policies), an object in a namespace that ix holds nothing
// of, a workload that controls objects of ix or an object controlled by one (judged at its
// controller), a replaced object that is not the only one of its key, and an index with
// subjects besides Kubernetes objects (clusters, image reports).
func (ix *Index) Beside(obj, replaced *Object) *Index {
	if ix.beside != nil || len(ix.others) > 0 || !ix.canJudgeBeside(obj, replaced) {
		return nil
	}
	own := NewIndex([]*Object{obj})
	if len(own.clusterPolicies) > 0 {
		return nil
	}
	over := *own
	over.beside = &beside{base: ix, replaced: replaced, own: own}
	return &over
}

func (ix *Index) canJudgeBeside(obj, replaced *Object) bool {
	for _, o := range []*Object{obj, replaced} {
		if o == nil {
			continue
		}
		if o.Kind == "Namespace" || clusterWidePolicyKinds[o.Kind] || o.Meta == nil {
			return false
		}
	}
	if replaced != nil {
		if replaced.Namespace != obj.Namespace || !ix.onlyOfItsKey(replaced) {
			return false
		}
		for _, p := range ix.clusterPolicies {
			if p.Object == replaced {
				return false
			}
		}
	}
	if (obj.Namespace != "" || (obj.Typed != nil && !IsClusterScoped(obj.Kind))) && !ix.namespaces[obj.Namespace] {
		return false
	}
	// obj controlled by a workload of ix: NewIndex would give it no subject nor view.
	for i := range obj.Meta.OwnerReferences {
		ref := &obj.Meta.OwnerReferences[i]
		if ref.Controller == nil || !*ref.Controller || !IsWorkloadKind(ref.Kind) {
			continue
		}
		if c := ix.Get(ref.Kind, obj.Namespace, ref.Name); c != nil && c != replaced && c.Typed != nil {
			return false
		}
	}
	// A workload that controls objects of ix takes their subjects and views away (obj), or
	// gives them back (replaced), unless both are the same controller.
	controls := func(o *Object) bool {
		return o != nil && o.Typed != nil && IsWorkloadKind(o.Kind) && ix.controllerKeys()[keyOf(o)]
	}
	if controls(obj) || controls(replaced) {
		same := replaced != nil && keyOf(obj) == keyOf(replaced) && obj.Typed != nil && replaced.Typed != nil
		if !same {
			return false
		}
	}
	return true
}

// onlyOfItsKey reports whether o is in ix and no other object has its kind, namespace and
// name (Get gives the last of them: without o, the one before).
func (ix *Index) onlyOfItsKey(o *Object) bool {
	if ix.Get(o.Kind, o.Namespace, o.Meta.Name) != o {
		return false
	}
	for _, x := range ix.byKindNs[kindNamespace{o.Kind, o.Namespace}] {
		if x != o && x.Meta.Name == o.Meta.Name {
			return false
		}
	}
	return true
}

// clusterWidePolicyKinds are the network policy kinds that apply across namespaces.
var clusterWidePolicyKinds = map[string]bool{"CiliumClusterwideNetworkPolicy": true, "GlobalNetworkPolicy": true}

// besideMerge is a lookup's answer on an index made by Beside: the base's answer less what
// of it is the replaced object (of), then the index's own, which comes last in scan order.
// The base's slice itself when there is nothing to take out or add.
func besideMerge[T any](b *beside, base []T, of func(T) *Object, own []T) []T {
	hidden := -1
	if b.replaced != nil {
		hidden = slices.IndexFunc(base, func(x T) bool { return of(x) == b.replaced })
	}
	if hidden < 0 && len(own) == 0 {
		return base
	}
	out := make([]T, 0, len(base)+len(own))
	for _, x := range base {
		if hidden < 0 || of(x) != b.replaced {
			out = append(out, x)
		}
	}
	return append(out, own...)
}

func objectOf(o *Object) *Object            { return o }
func workloadObject(w *Workload) *Object    { return w.Object }
func hpaObject(h *HPA) *Object              { return h.Object }
func policyObject(p *NetworkPolicy) *Object { return p.Object }
func grantObject(g Grant) *Object           { return g.Binding }

// besidePolicies merges policies as NetworkPolicies orders them: a namespace's own first,
// then the cluster-wide ones bound to it (an index made by Beside adds no cluster-wide one).
func besidePolicies(b *beside, base, own []*NetworkPolicy) []*NetworkPolicy {
	if len(own) == 0 {
		return besideMerge(b, base, policyObject, nil)
	}
	cut := slices.IndexFunc(base, (*NetworkPolicy).ClusterWide)
	if cut < 0 {
		return besideMerge(b, base, policyObject, own)
	}
	out := besideMerge(b, base[:cut:cut], policyObject, own)
	return append(slices.Clip(out), base[cut:]...)
}

// besideSorted merges a lookup's answer that is sorted, sorting it again when it changed.
func besideSorted[T any](b *beside, base []T, of func(T) *Object, own []T, less func(a, b T) bool) []T {
	out := besideMerge(b, base, of, own)
	if len(own) > 0 {
		sort.SliceStable(out, func(i, j int) bool { return less(out[i], out[j]) })
	}
	return out
}
