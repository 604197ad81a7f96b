package live

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

// KindsNamed returns the kinds the live scan lists by that name: one, or, for Calico's
// NetworkPolicy and GlobalNetworkPolicy, each API that serves one.
func KindsNamed(name string) []Kind {
	var out []Kind
	for _, k := range Kinds() {
		if k.Kind == name {
			out = append(out, k)
		}
	}
	return out
}

// Cache holds kinds of a running cluster in memory, kept current by the API server's watch:
// the admission webhook reads from it the objects its checks need besides the object under
// review (the NetworkPolicies and PodDisruptionBudgets of its namespace…). Secrets are
// watched as metadata only; add-on kinds (Cilium and Calico policies, KEDA ScaledObjects)
// untyped, through the dynamic client, once discovery has found the API server serves them:
// an add-on that is not installed has nothing to watch and is not missing. A kind whose cache
// has not synced, or that cannot be listed, is reported as unlisted with why, so that the
// checks that need it are not evaluated rather than passed.
type Cache struct {
	kinds  []Kind
	addOns []Kind
	resync time.Duration
	dyn    dynamic.Interface
	disc   *discovery.DiscoveryClient
	// keepStatus says which add-on kinds keep their status (Options.KeepStatus).
	keepStatus func(kind string) bool

	// mu guards what Run adds once discovery answers: the add-ons' informers, the add-ons
	// found absent, and the errors the watches report. All are keyed by Kind.Key.
	mu        sync.RWMutex
	informers map[string]cache.SharedIndexInformer
	absent    map[string]bool
	errs      map[string]string
	// onChange, when set (OnChange), is told of each change; the add-ons' informers get it
	// when discovery makes them.
	onChange func(Change)
	// versions counts the changes of each kind in each namespace, for Version.
	versions versions
}

// NewCache prepares informers for kinds on the cluster behind cfg. resync is the informers'
// resync period (0: none). The add-on kinds' informers are made by Run, after discovery;
// keepStatus is Options.KeepStatus for them.
func NewCache(cfg *rest.Config, kinds []Kind, resync time.Duration, keepStatus func(kind string) bool) (*Cache, error) {
	cfg = rest.CopyConfig(cfg)
	if cfg.UserAgent == "" {
		cfg.UserAgent = "akscheck"
	}
	// CRDs speak JSON only: the dynamic and discovery clients ask for it.
	jsonCfg := rest.CopyConfig(cfg)
	jsonCfg.ContentType, jsonCfg.AcceptContentTypes = runtime.ContentTypeJSON, runtime.ContentTypeJSON
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	typed, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("API client for %s: %w", cfg.Host, err)
	}
	meta, err := metadata.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("metadata client for %s: %w", cfg.Host, err)
	}
	shared := subject.NewSharedUpTo(cacheSharedMaps)
	strip := func(obj any) (any, error) { return stripForCache(obj, shared, keepStatus) }
	factory := informers.NewSharedInformerFactoryWithOptions(typed, resync, informers.WithTransform(strip))
	metaFactory := metadatainformer.NewSharedInformerFactoryWithOptions(meta, resync, metadatainformer.WithTransform(strip))
	c := &Cache{kinds: kinds, resync: resync, keepStatus: keepStatus, informers: map[string]cache.SharedIndexInformer{},
		absent: map[string]bool{}, errs: map[string]string{}}
	for _, k := range kinds {
		var inf cache.SharedIndexInformer
		switch {
		case k.AddOn:
			c.addOns = append(c.addOns, k)
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
		if err := c.watchErrors(k, inf); err != nil {
			return nil, err
		}
		if err := c.versions.count(k.Kind, inf); err != nil {
			return nil, err
		}
		c.informers[k.Key()] = inf
	}
	if len(c.addOns) > 0 {
		if c.dyn, err = dynamic.NewForConfig(jsonCfg); err != nil {
			return nil, fmt.Errorf("dynamic client for %s: %w", cfg.Host, err)
		}
		if c.disc, err = discovery.NewDiscoveryClientForConfig(jsonCfg); err != nil {
			return nil, fmt.Errorf("discovery client for %s: %w", cfg.Host, err)
		}
	}
	return c, nil
}

// watchErrors records the errors of a kind's watch (forbidden, not found) for why.
func (c *Cache) watchErrors(k Kind, inf cache.SharedIndexInformer) error {
	key := k.Key()
	err := inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
		c.mu.Lock()
		c.errs[key] = describe(err)
		c.mu.Unlock()
	})
	if err != nil {
		return fmt.Errorf("informer for %s: %w", k.Kind, err)
	}
	return nil
}

// Run watches until ctx ends. The add-on kinds are watched once discovery has said which the
// API server serves (asked again until it answers).
func (c *Cache) Run(ctx context.Context) {
	c.mu.RLock()
	infs := make([]cache.SharedIndexInformer, 0, len(c.informers))
	for _, inf := range c.informers {
		infs = append(infs, inf)
	}
	c.mu.RUnlock()
	var wg sync.WaitGroup
	for _, inf := range infs {
		wg.Go(func() { inf.RunWithContext(ctx) })
	}
	if len(c.addOns) > 0 {
		wg.Go(func() {
			var addOns sync.WaitGroup
			for _, inf := range c.startAddOns(ctx) {
				addOns.Go(func() { inf.RunWithContext(ctx) })
			}
			addOns.Wait()
		})
	}
	wg.Wait()
}

// discoveryRetry bounds the wait between two discoveries that failed.
const discoveryRetry = 30 * time.Second

// startAddOns discovers which add-on kinds the API server serves, retrying until it answers
// or ctx ends, and makes their informers.
func (c *Cache) startAddOns(ctx context.Context) []cache.SharedIndexInformer {
	wait := time.Second
	var served servedKinds
	for {
		var err error
		served, err = discoverServed(ctx, c.disc, DefaultRequestTimeout)
		if err == nil {
			break
		}
		c.mu.Lock()
		for _, k := range c.addOns {
			c.errs[k.Key()] = "discovery of the served APIs failed: " + describe(err)
		}
		c.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, discoveryRetry)
	}
	var out []cache.SharedIndexInformer
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range c.addOns {
		key := k.Key()
		delete(c.errs, key)
		version, ok := served.version(k)
		if !ok || k.FallbackFor != "" && served.servesGroup(k.FallbackFor, k.Resource) {
			// Not installed, or read through the API in front of it.
			c.absent[key] = true
			continue
		}
		k.Version = version
		inf := dynamicinformer.NewFilteredDynamicInformer(c.dyn, k.GVR(), metav1.NamespaceAll, c.resync,
			cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc}, nil).Informer()
		if err := inf.SetTransform(func(obj any) (any, error) { return stripAddOnForCache(obj, c.keepStatus) }); err != nil {
			c.errs[key] = err.Error()
			continue
		}
		if err := c.watchErrors(k, inf); err != nil {
			c.errs[key] = err.Error()
			continue
		}
		if err := c.versions.count(k.Kind, inf); err != nil {
			c.errs[key] = err.Error()
			continue
		}
		if c.onChange != nil {
			if err := notifyChanges(k.Kind, inf, c.onChange); err != nil {
				c.errs[key] = err.Error()
				continue
			}
		}
		c.informers[key] = inf
		out = append(out, inf)
	}
	return out
}

// Synced reports, for each kind it watches (by Kind.Key), whether its cache has synced. The
// add-ons found not installed are not in it: there is nothing to wait for.
func (c *Cache) Synced() map[string]bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make(map[string]bool, len(c.kinds))
	for _, k := range c.kinds {
		key := k.Key()
		if c.absent[key] {
			continue
		}
		inf := c.informers[key]
		out[key] = inf != nil && inf.HasSynced()
	}
	return out
}

// Snapshot returns the cached objects of kinds (every cached kind when kinds is nil) in
// namespace ("" for none), the Namespace object itself and the cluster-scoped objects of
// kinds, as objects read from the cluster; the kinds it cannot give are Unlisted, with why.
func (c *Cache) Snapshot(namespace string, kinds []string) *subject.Scan {
	s := &subject.Scan{Evidence: map[catalog.Evidence]bool{}, Unlisted: map[string]string{}}
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, k := range c.kinds {
		if kinds != nil && !slices.Contains(kinds, k.Kind) {
			continue
		}
		key := k.Key()
		if c.absent[key] {
			continue
		}
		inf := c.informers[key]
		if inf == nil || !inf.HasSynced() {
			s.Unlisted[k.Kind] = joinWhy(s.Unlisted[k.Kind], k, c.why(k))
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

// why says why a kind is not in the cache; c.mu is held.
func (c *Cache) why(k Kind) string {
	if e := c.errs[k.Key()]; e != "" {
		return "the cluster cache cannot list it: " + e
	}
	return "the cluster cache has not synced yet"
}

// cachedObject wraps a cached object for the checks. The typed value is shared with the
// cache: checks only read.
func cachedObject(k Kind, item any) *subject.Object {
	var o *subject.Object
	switch t := item.(type) {
	case *unstructured.Unstructured:
		// Read only: the cache's copy is shared with concurrent reviews.
		o, _ = addOnObject(k, t)
		return o
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

// cachedKind is the kind of a typed object as an informer delivers it, without its apiVersion
// and kind: the name of its Go type, which is the kind's for the k8s.io/api types.
func cachedKind(obj any) string {
	t := reflect.TypeOf(obj)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// stripAddOnForCache is stripAddOn as an informer's transform.
func stripAddOnForCache(obj any, keepStatus func(kind string) bool) (any, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		stripAddOn(u, keepStatus)
	}
	return obj, nil
}

// cacheSharedMaps bounds the maps the cache's subject.Shared keeps: about the distinct label
// sets, selectors and requests of a large cluster; past it, the maps of objects the cache no
// longer holds are let go.
const cacheSharedMaps = 1 << 16

// stripForCache drops from each object what no check reads before the cache stores it:
// managed fields, kubectl's last-applied copy, what no built-in check reads of its status
// (subject.DropUnreadStatus: conditions, a node's images and volumes) unless a custom check
// names its kind (keepStatus); and it keeps what a workload controller made (its Pods,
// ReplicaSets and Jobs) in their Controlled form: the controller holds the template that is
// judged, and the webhook needs of them only their metadata and where they run. On a large cluster the Pods are most of the cache. Then the
// object shares the maps it holds alike with those already cached (the pods of a ReplicaSet
// carry its labels).
//
// Only a controller of a workload kind stands for what it made: a Pod of an operator's
// resource (a StrimziPodSet's, an Argo Workflow's) or a ReplicaSet of an Argo Rollout is
// judged itself, as the live loader judges it, so it is kept whole.
func stripForCache(obj any, shared *subject.Shared, keepStatus func(kind string) bool) (any, error) {
	acc, ok := obj.(metav1.Object)
	if !ok {
		return obj, nil
	}
	acc.SetManagedFields(nil)
	if a := acc.GetAnnotations(); a != nil {
		acc.SetAnnotations(dropLastApplied(a))
	}
	if keepStatus == nil || !keepStatus(cachedKind(obj)) {
		subject.DropUnreadStatus(obj)
	}
	if ro, ok := obj.(runtime.Object); ok && madeByController(obj) {
		if ref := metav1.GetControllerOfNoCopy(acc); ref != nil && subject.IsWorkloadKind(ref.Kind) {
			obj = subject.NewControlled(ro)
		}
	}
	shared.Value(obj)
	return obj, nil
}
