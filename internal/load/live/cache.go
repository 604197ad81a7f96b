package live

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

// KindNamed returns the kind the live scan lists by that name.
func KindNamed(name string) (Kind, bool) {
	for _, k := range Kinds() {
		if k.Kind == name {
			return k, true
		}
	}
	return Kind{}, false
}

// Cache holds kinds of a running cluster in memory, kept current by the API server's watch:
// the admission webhook reads from it the objects its checks need besides the object under
// review (the NetworkPolicies and PodDisruptionBudgets of its namespace…). Secrets are
// watched as metadata only. A kind whose cache has not synced, or that cannot be listed, is
// reported as unlisted with why, so that the checks that need it are not evaluated rather
// than passed.
type Cache struct {
	kinds     []Kind
	informers map[string]cache.SharedIndexInformer
	mu        sync.Mutex
	errs      map[string]string
}

// NewCache prepares informers for kinds (built-in kinds only: add-on kinds are reported as
// not cached) on the cluster behind cfg. resync is the informers' resync period (0: none).
func NewCache(cfg *rest.Config, kinds []Kind, resync time.Duration) (*Cache, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	if cfg.UserAgent == "" {
		cfg.UserAgent = "akscheck"
	}
	typed, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("API client for %s: %w", cfg.Host, err)
	}
	meta, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("metadata client for %s: %w", cfg.Host, err)
	}
	factory := informers.NewSharedInformerFactoryWithOptions(typed, resync, informers.WithTransform(stripForCache))
	metaFactory := metadatainformer.NewSharedInformerFactoryWithOptions(meta, resync, metadatainformer.WithTransform(stripForCache))
	c := &Cache{kinds: kinds, informers: map[string]cache.SharedIndexInformer{}, errs: map[string]string{}}
	for _, k := range kinds {
		var inf cache.SharedIndexInformer
		switch {
		case k.AddOn:
			c.errs[k.Kind] = "add-on kinds are not cached"
			continue
		case k.MetadataOnly:
			inf = metaFactory.ForResource(k.GVR()).Informer()
		default:
			gi, err := factory.ForResource(k.GVR())
			if err != nil {
				return nil, fmt.Errorf("informer for %s: %w", k.Kind, err)
			}
			inf = gi.Informer()
		}
		kind := k.Kind
		if err := inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
			c.mu.Lock()
			c.errs[kind] = describe(err)
			c.mu.Unlock()
		}); err != nil {
			return nil, fmt.Errorf("informer for %s: %w", k.Kind, err)
		}
		c.informers[kind] = inf
	}
	return c, nil
}

// Run watches until ctx ends.
func (c *Cache) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, inf := range c.informers {
		wg.Go(func() { inf.RunWithContext(ctx) })
	}
	wg.Wait()
}

// Synced reports, for each kind it watches, whether its cache has synced. Add-on kinds are
// not watched (Snapshot reports them unlisted): never pending, they are left out.
func (c *Cache) Synced() map[string]bool {
	out := make(map[string]bool, len(c.kinds))
	for _, k := range c.kinds {
		if k.AddOn {
			continue
		}
		inf := c.informers[k.Kind]
		out[k.Kind] = inf != nil && inf.HasSynced()
	}
	return out
}

// Snapshot returns the cached objects of kinds (every cached kind when kinds is nil) in
// namespace ("" for none), the Namespace object itself and the cluster-scoped objects of
// kinds, as objects read from the cluster; the kinds it cannot give are Unlisted, with why.
func (c *Cache) Snapshot(namespace string, kinds []string) *subject.Scan {
	s := &subject.Scan{Evidence: map[catalog.Evidence]bool{}, Unlisted: map[string]string{}}
	for _, k := range c.kinds {
		if kinds != nil && !slices.Contains(kinds, k.Kind) {
			continue
		}
		inf := c.informers[k.Kind]
		if inf == nil || !inf.HasSynced() {
			s.Unlisted[k.Kind] = c.why(k)
			continue
		}
		var items []any
		switch {
		case k.Kind == "Namespace":
			if obj, ok, _ := inf.GetStore().GetByKey(namespace); ok {
				items = []any{obj}
			}
		case k.Namespaced:
			if namespace == "" {
				continue
			}
			items, _ = inf.GetIndexer().ByIndex(cache.NamespaceIndex, namespace)
		default:
			items = inf.GetStore().List()
		}
		for _, it := range items {
			if o := cachedObject(k, it); o != nil {
				s.Objects = append(s.Objects, o)
			}
		}
	}
	return s
}

// why says why a kind is not in the cache.
func (c *Cache) why(k Kind) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.errs[k.Kind]; e != "" {
		return "the cluster cache cannot list it: " + e
	}
	return "the cluster cache has not synced yet"
}

// cachedObject wraps a cached object for the checks. The typed value is shared with the
// cache: checks only read.
func cachedObject(k Kind, item any) *subject.Object {
	var o *subject.Object
	switch t := item.(type) {
	case *metav1.PartialObjectMetadata:
		typed := subject.NewTyped(k.APIVersion(), k.Kind)
		om := subject.MetaOf(typed)
		if om == nil {
			return nil
		}
		*om = t.ObjectMeta
		o = &subject.Object{APIVersion: k.APIVersion(), Kind: k.Kind, Meta: om, Typed: typed}
	case runtime.Object:
		om := subject.MetaOf(t)
		if om == nil {
			return nil
		}
		o = &subject.Object{APIVersion: k.APIVersion(), Kind: k.Kind, Meta: om, Typed: t}
	default:
		return nil
	}
	o.Namespace = o.Meta.Namespace
	o.NamespaceExplicit = o.Namespace != ""
	o.Input = subject.InputCluster
	return o
}

// stripForCache drops from each object what no check reads before the cache stores it:
// managed fields, kubectl's last-applied copy, the images a node has pulled, and the pod
// templates of what a controller made (its Pods, ReplicaSets and Jobs): the controller holds
// the template, and the webhook needs of them only their labels (which Services and policies
// select them) and where they run. On a large cluster the Pods are most of the cache.
func stripForCache(obj any) (any, error) {
	acc, ok := obj.(metav1.Object)
	if !ok {
		return obj, nil
	}
	acc.SetManagedFields(nil)
	if a := acc.GetAnnotations(); a != nil {
		acc.SetAnnotations(dropLastApplied(a))
	}
	owned := false
	for _, ref := range acc.GetOwnerReferences() {
		owned = owned || (ref.Controller != nil && *ref.Controller)
	}
	switch t := obj.(type) {
	case *corev1.Node:
		t.Status.Images = nil
	case *corev1.Pod:
		if owned {
			t.Spec = corev1.PodSpec{NodeName: t.Spec.NodeName}
			t.Status = corev1.PodStatus{Phase: t.Status.Phase}
		}
	default:
		if owned {
			trimTemplate(obj)
		}
	}
	return obj, nil
}
