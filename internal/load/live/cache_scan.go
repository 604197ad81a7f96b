package live

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

// Change is an object added, updated or deleted in the cluster: its kind, namespace (""
// for a cluster-scoped one) and name. Namespace and Name are empty when a deletion was
// seen only as a tombstone whose key cannot be read: such a change cannot be bounded.
type Change struct {
	Kind, Namespace, Name string
	// Known is false for such a tombstone.
	Known bool
}

// OnChange calls fn with each object added, updated or deleted after its kind's first list
// (the objects of the first list are the cache filling, not changes), the add-on kinds'
// included once discovery has found them. fn runs on the informers' goroutines: it must
// return quickly. Call it before Run.
func (c *Cache) OnChange(fn func(Change)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onChange = fn
	for key, inf := range c.informers {
		kind := key
		for _, k := range c.kinds {
			if k.Key() == key {
				kind = k.Kind
			}
		}
		if err := notifyChanges(kind, inf, fn); err != nil {
			return err
		}
	}
	return nil
}

// changeOf names the object of an informer's event.
func changeOf(kind string, obj any) Change {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		ns, name, err := cache.SplitMetaNamespaceKey(t.Key)
		if err != nil {
			return Change{Kind: kind}
		}
		return Change{Kind: kind, Namespace: ns, Name: name, Known: true}
	}
	if o, ok := obj.(metav1.Object); ok {
		return Change{Kind: kind, Namespace: o.GetNamespace(), Name: o.GetName(), Known: true}
	}
	return Change{Kind: kind}
}

func notifyChanges(kind string, inf cache.SharedIndexInformer, fn func(Change)) error {
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj any, initial bool) {
			if !initial {
				fn(changeOf(kind, obj))
			}
		},
		UpdateFunc: func(old, cur any) {
			// A relist or resync delivers unchanged objects as updates: not changes.
			o, okOld := old.(metav1.Object)
			c, okCur := cur.(metav1.Object)
			if okOld && okCur && o.GetResourceVersion() == c.GetResourceVersion() {
				return
			}
			fn(changeOf(kind, cur))
		},
		DeleteFunc: func(obj any) { fn(changeOf(kind, obj)) },
	})
	if err != nil {
		return fmt.Errorf("watching changes of %s: %w", kind, err)
	}
	return nil
}

// ClusterScan returns every cached object of every namespace as a live scan of the whole
// cluster would read them, for the in-cluster audit: the kinds not cached (not synced,
// forbidden) are Unlisted with why and named in an error entry, so that the items that need
// them are not evaluated; add-ons found not installed are absent, as in a live scan. The
// LiveCluster and the AKS cluster model built from the Nodes are added as the live loader
// adds them. contextName names the cluster in the report; version is the API server's
// (ServerVersion).
func (c *Cache) ClusterScan(contextName, server, version string) *subject.Scan {
	s := &subject.Scan{Evidence: map[catalog.Evidence]bool{catalog.Cluster: true}, Unlisted: map[string]string{}}
	c.mu.RLock()
	for _, k := range c.kinds {
		key := k.Key()
		if c.absent[key] {
			continue
		}
		inf := c.informers[key]
		if inf == nil || !inf.HasSynced() {
			why := c.why(k)
			s.Unlisted[k.Kind] = joinWhy(s.Unlisted[k.Kind], k, why)
			s.Errors = append(s.Errors, subject.LoadError{Source: contextName,
				Message: fmt.Sprintf("cannot list %s (%s %s): %s; the items that need %s are not evaluated",
					k.Kind, k.APIVersion(), k.Resource, why, k.Kind)})
			continue
		}
		for _, it := range inf.GetStore().List() {
			if o := cachedObject(k, it); o != nil {
				s.Objects = append(s.Objects, o)
			}
		}
	}
	c.mu.RUnlock()
	s.Inputs = []subject.Input{{Kind: subject.InputCluster, Source: contextName, Objects: len(s.Objects)}}
	lc := subject.NewLiveCluster(contextName, server, version, s.Objects)
	s.Others = append(s.Others, lc)
	if cl := ClusterOf(contextName, version, lc.Nodes); cl != nil {
		s.Others = append(s.Others, cl)
	}
	return s
}

// ServerVersion returns the API server's version (its gitVersion).
func ServerVersion(ctx context.Context, cfg *rest.Config) (string, error) {
	d, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return "", fmt.Errorf("discovery client for %s: %w", cfg.Host, err)
	}
	rctx, cancel := context.WithTimeout(ctx, DefaultRequestTimeout)
	defer cancel()
	info, err := d.ServerVersionWithContext(rctx)
	if err != nil {
		return "", fmt.Errorf("reading the API server's version at %s/version: %s", cfg.Host, describe(err))
	}
	return info.GitVersion, nil
}

// Version says whether what Snapshot(namespace, kinds) gives may have changed for the checks
// run at admission: it grows with every object of kinds added, updated or deleted in the
// namespace or cluster-wide, the objects of the first lists included, except an update of
// its status alone. No check run at admission reads another object's status
// (admit.TestAdmissionReadsNoStatus), and autoscalers and disruption budgets write theirs
// as metrics and pods move. A front-end that keeps what it derived from a snapshot (the
// webhook's index) reads the version before the snapshot, and keeps what it derived while
// the version stays.
func (c *Cache) Version(namespace string, kinds []string) uint64 {
	return c.versions.of(namespace, kinds)
}

// versions counts the changes of each kind in each namespace ("" for cluster-scoped objects):
// the informers' handlers count a change after their store holds it.
type versions struct {
	mu     sync.Mutex
	counts map[versionKey]uint64
	// unplaced counts the deletions whose object is not known (a tombstone's key that does
	// not parse): every version grows with them.
	unplaced uint64
}

type versionKey struct{ kind, namespace string }

func (v *versions) count(kind string, inf cache.SharedIndexInformer) error {
	bump := func(obj any) {
		ch := changeOf(kind, obj)
		v.mu.Lock()
		defer v.mu.Unlock()
		if !ch.Known {
			v.unplaced++
			return
		}
		if v.counts == nil {
			v.counts = map[versionKey]uint64{}
		}
		v.counts[versionKey{kind, ch.Namespace}]++
	}
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: bump,
		UpdateFunc: func(old, cur any) {
			if !statusOnly(old, cur) {
				bump(cur)
			}
		},
		DeleteFunc: bump,
	})
	if err != nil {
		return fmt.Errorf("counting changes of %s: %w", kind, err)
	}
	return nil
}

// statusOnly reports whether an update changed nothing but the object's status and
// resourceVersion (a resync changes neither). An object it cannot compare counts as changed.
// It runs on the informers' goroutines for every update of every cached kind: a resync and a
// new generation (a change of spec) are told without copying the objects.
func statusOnly(old, cur any) bool {
	if o, ok := old.(metav1.Object); ok {
		if c, ok := cur.(metav1.Object); ok {
			switch {
			case o.GetResourceVersion() == c.GetResourceVersion():
				return true
			case o.GetGeneration() != c.GetGeneration():
				return false
			}
		}
	}
	a, b := withoutStatus(old), withoutStatus(cur)
	return a != nil && b != nil && equality.Semantic.DeepEqual(a, b)
}

// withoutStatus returns a copy of obj without its status and resourceVersion, nil for what is
// no Kubernetes object.
func withoutStatus(obj any) runtime.Object {
	ro, ok := obj.(runtime.Object)
	if !ok {
		return nil
	}
	c := ro.DeepCopyObject()
	acc, err := meta.Accessor(c)
	if err != nil {
		return nil
	}
	acc.SetResourceVersion("")
	if u, ok := c.(*unstructured.Unstructured); ok {
		unstructured.RemoveNestedField(u.Object, "status")
		return u
	}
	if v := reflect.ValueOf(c); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		if status := v.Elem().FieldByName("Status"); status.IsValid() && status.CanSet() {
			status.SetZero()
		}
	}
	return c
}

func (v *versions) of(namespace string, kinds []string) uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := v.unplaced
	for _, k := range kinds {
		n += v.counts[versionKey{k, namespace}]
		if namespace != "" {
			n += v.counts[versionKey{k, ""}]
		}
	}
	return n
}
