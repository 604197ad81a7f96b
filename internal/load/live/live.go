// Package live loads a running cluster through the Kubernetes API into the same model the
// manifest loader builds: typed k8s.io/api objects, listed kind by kind in pages
// (limit/continue), each page turned into objects before the next is asked for, so memory
// is bounded by what the checks keep. Secrets are listed as metadata only. A kind that cannot
// be listed (forbidden, not served, timed out) becomes an error entry naming it, and the
// items that need it are not evaluated; the scan goes on with the other kinds.
package live

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

// DefaultPageSize is how many objects one list request asks for.
const DefaultPageSize = 500

// addOnPageSize is how many add-on objects one list request asks for. An add-on's custom
// resource is decoded from JSON into a tree of Go maps several times its size, a page at a
// time, and some are large (an Argo CD Application lists every resource it manages and its
// sync history): 300 Applications of 29 KB in one page raised a scan's peak RSS to 166-171
// MiB, against 118-119 MiB in pages of 50.
const addOnPageSize = 50

// DefaultRequestTimeout bounds one request (one page).
const DefaultRequestTimeout = 60 * time.Second

// Options tune a live scan.
type Options struct {
	// Namespace limits the scan to one namespace: namespaced kinds are listed there only,
	// cluster-scoped kinds not at all (but the Namespace itself), and the cluster-wide live
	// checks are not evaluated.
	Namespace string
	// PageSize is the limit of each list request; 0 means DefaultPageSize.
	PageSize int64
	// RequestTimeout bounds each request; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// HelmReleases also reads the deployed Helm releases: the manifests Helm stores in
	// Secrets of type helm.sh/release.v1, the one Secret value akscheck decodes (for the
	// apiVersions a chart will apply again; the values are never kept). Off for scans.
	HelmReleases bool
	// KeepStatus says of a kind whether a check reads its objects' whole status
	// (check.StatusReaders: the kinds custom checks name); nil: none does. Of the others, an
	// add-on's status (a custom resource read as JSON) is dropped, and of a built-in kind
	// what no built-in check reads (subject.DropUnreadStatus).
	KeepStatus func(kind string) bool
}

// lastApplied is kubectl's copy of the whole object as last applied: no check reads it, and
// on a large cluster it doubles what the scan holds.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// LoadConfig lists the cluster behind cfg. contextName names the cluster in the report (the
// kube context, or "in-cluster"). Problems are error entries of the returned scan.
func LoadConfig(ctx context.Context, cfg *rest.Config, contextName string, opts Options) *subject.Scan {
	l, err := newLoader(cfg, contextName, opts)
	if err != nil {
		return failed(contextName, err.Error())
	}
	return l.load(ctx)
}

func failed(source, msg string) *subject.Scan {
	return &subject.Scan{
		Evidence: map[catalog.Evidence]bool{},
		Inputs:   []subject.Input{{Kind: subject.InputCluster, Source: source}},
		Errors:   []subject.LoadError{{Source: source, Message: msg}},
	}
}

type loader struct {
	context string
	server  string
	opts    Options
	rest    map[schema.GroupVersion]rest.Interface
	meta    metadata.Interface
	dyn     dynamic.Interface
	disc    *discovery.DiscoveryClient

	scan *subject.Scan
	// workloads holds the workloads listed so far, so that an owned object arriving later
	// is known to be checked at its controller.
	workloads map[ownerKey]bool
	// shared gives the objects one copy of the maps they hold alike: the pods of a
	// ReplicaSet carry its labels.
	shared *subject.Shared
	// extras gives the objects written in the same versions one Extra (writtenExtra).
	extras map[string]*subject.ObjectExtra
}

type ownerKey struct{ kind, namespace, name string }

func newLoader(cfg *rest.Config, contextName string, opts Options) (*loader, error) {
	if opts.PageSize <= 0 {
		opts.PageSize = DefaultPageSize
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	cfg = rest.CopyConfig(cfg)
	// Protobuf decodes several times faster than JSON and allocates less; every built-in
	// kind supports it.
	cfg.ContentType = runtime.ContentTypeProtobuf
	cfg.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	if cfg.UserAgent == "" {
		cfg.UserAgent = "akscheck"
	}
	// The scan makes one request per page; client-side throttling would only slow it.
	cfg.QPS, cfg.Burst = 100, 200
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("API client for %s: %w", cfg.Host, err)
	}
	l := &loader{context: contextName, server: cfg.Host, opts: opts, rest: map[schema.GroupVersion]rest.Interface{},
		workloads: map[ownerKey]bool{}, shared: subject.NewShared(), extras: map[string]*subject.ObjectExtra{}}
	for _, k := range Kinds() {
		gv := schema.GroupVersion{Group: k.Group, Version: k.Version}
		if k.AddOn || k.MetadataOnly || l.rest[gv] != nil {
			continue
		}
		c := rest.CopyConfig(cfg)
		c.GroupVersion = &gv
		c.APIPath = "/apis"
		if gv.Group == "" {
			c.APIPath = "/api"
		}
		c.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
		rc, err := rest.RESTClientForConfigAndClient(c, httpClient)
		if err != nil {
			return nil, fmt.Errorf("API client for %s: %w", gv, err)
		}
		l.rest[gv] = rc
	}
	if l.meta, err = metadata.NewForConfigAndClient(cfg, httpClient); err != nil {
		return nil, fmt.Errorf("metadata client: %w", err)
	}
	jsonCfg := rest.CopyConfig(cfg)
	jsonCfg.ContentType, jsonCfg.AcceptContentTypes = runtime.ContentTypeJSON, runtime.ContentTypeJSON
	if l.dyn, err = dynamic.NewForConfigAndClient(jsonCfg, httpClient); err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	if l.disc, err = discovery.NewDiscoveryClientForConfigAndClient(jsonCfg, httpClient); err != nil {
		return nil, fmt.Errorf("discovery client: %w", err)
	}
	return l, nil
}

func (l *loader) load(ctx context.Context) *subject.Scan {
	l.scan = &subject.Scan{Evidence: map[catalog.Evidence]bool{}, Unlisted: map[string]string{}}
	in := subject.Input{Kind: subject.InputCluster, Source: l.context}

	rctx, cancel := context.WithTimeout(ctx, l.opts.RequestTimeout)
	info, err := l.disc.ServerVersionWithContext(rctx)
	cancel()
	if err != nil {
		l.scan.Inputs = append(l.scan.Inputs, in)
		l.scan.Errors = append(l.scan.Errors, subject.LoadError{Source: l.context,
			Message: fmt.Sprintf("cannot read the API server's version at %s/version: %s", l.server, describe(err))})
		for _, k := range Kinds() {
			l.scan.Unlisted[k.Kind] = "the API server could not be reached"
		}
		return l.scan
	}
	served := l.discover(ctx)

	kinds := Kinds()
	// absent are the add-ons' resources the API server does not serve: not installed.
	absent := map[schema.GroupResource]bool{}
	for i, k := range kinds {
		if err := ctx.Err(); err != nil {
			l.abort(kinds[i:], fmt.Sprintf("the scan was cancelled (%v)", err))
			break
		}
		if k.FallbackFor != "" && !absent[groupResource(k.FallbackFor, k.Resource)] {
			continue // read through the API in front of this one
		}
		if l.opts.Namespace != "" && !k.Namespaced && k.Kind != "Namespace" && !k.AddOn {
			l.scan.Unlisted[k.Kind] = l.outOfScope()
			continue
		}
		version, ok := served.version(k)
		if !ok {
			if !k.AddOn {
				l.kindError(k, "the API server does not serve "+k.APIVersion()+" "+k.Resource)
			}
			absent[groupResource(k.Group, k.Resource)] = true
			continue
		}
		if l.opts.Namespace != "" && !k.Namespaced {
			// An add-on that is installed: its cluster-scoped objects (a cluster-wide
			// network policy) may bear on the namespace, but are out of the scan's scope.
			l.unlisted(k, l.outOfScope())
			continue
		}
		k.Version = version
		err := l.listKind(ctx, k)
		if err == nil {
			continue
		}
		if k.AddOn && !served.known && apierrors.IsNotFound(err) {
			// Discovery failed, and the list says the add-on is not installed.
			absent[groupResource(k.Group, k.Resource)] = true
			continue
		}
		if unreachable(err) {
			l.abort(kinds[i:], "the API server stopped answering: "+describe(err))
			break
		}
		l.kindError(k, describe(err))
	}
	if l.opts.HelmReleases && ctx.Err() == nil {
		l.listHelmReleases(ctx)
	}
	in.Objects = len(l.scan.Objects)
	l.scan.Inputs = append(l.scan.Inputs, in)
	l.scan.Evidence[catalog.Cluster] = true
	if l.opts.Namespace == "" {
		lc := subject.NewLiveCluster(l.context, l.server, info.GitVersion, l.scan.Objects)
		l.scan.Others = append(l.scan.Others, lc)
		// The nodes also describe the AKS cluster itself, in the model the Azure loaders
		// fill: the cluster checks judge its pools whichever source showed them.
		if c := ClusterOf(l.context, info.GitVersion, lc.Nodes); c != nil {
			l.scan.Others = append(l.scan.Others, c)
		}
	}
	return l.scan
}

// abort records the kinds not listed because the server went away, in one error entry.
func (l *loader) abort(rest []Kind, why string) {
	var names []string
	for _, k := range rest {
		if l.opts.Namespace != "" && !k.Namespaced && k.Kind != "Namespace" {
			l.scan.Unlisted[k.Kind] = l.outOfScope()
			continue
		}
		names = append(names, k.Kind)
		l.scan.Unlisted[k.Kind] = why
	}
	l.scan.Errors = append(l.scan.Errors, subject.LoadError{Source: l.context,
		Message: fmt.Sprintf("%s; not listed: %s; the items that need them are not evaluated", why, strings.Join(names, ", "))})
}

// outOfScope is why a cluster-scoped kind is not listed by a namespace-limited scan.
func (l *loader) outOfScope() string {
	return "cluster-scoped, not listed by a scan limited to namespace " + l.opts.Namespace
}

func (l *loader) kindError(k Kind, why string) {
	l.unlisted(k, why)
	l.scan.Errors = append(l.scan.Errors, subject.LoadError{Source: l.context,
		Message: fmt.Sprintf("cannot list %s (%s %s): %s; the items that need %s are not evaluated",
			k.Kind, k.APIVersion(), k.Resource, why, k.Kind)})
}

// unlisted records why a kind's objects are not all in the scan. The checks know kinds by
// name alone: for Calico's NetworkPolicy, which shares Kubernetes's name, the reason names
// its API, and joins the other's when both are missing.
func (l *loader) unlisted(k Kind, why string) {
	l.scan.Unlisted[k.Kind] = joinWhy(l.scan.Unlisted[k.Kind], k, why)
}

// joinWhy adds why kind k is missing to the reason already recorded for its name.
func joinWhy(prev string, k Kind, why string) string {
	if k.Key() != k.Kind {
		why = k.APIVersion() + " " + k.Resource + ": " + why
	}
	if prev == "" || prev == why {
		return why
	}
	return prev + "; " + why
}

// servedKinds is what discovery says the server serves: group/version → resources.
type servedKinds struct {
	known     bool
	resources map[schema.GroupVersion]map[string]bool
	preferred map[string]string // group → preferred version
}

// discover asks the API server what it serves. When discovery fails, every kind is tried
// and the lists tell.
func (l *loader) discover(ctx context.Context) servedKinds {
	s, _ := discoverServed(ctx, l.disc, l.opts.RequestTimeout)
	return s
}

// discoverServed asks the API server what it serves; known is false when it could not say.
// A group whose discovery failed (an aggregated API server that is down) serves nothing.
func discoverServed(ctx context.Context, disc *discovery.DiscoveryClient, timeout time.Duration) (servedKinds, error) {
	s := servedKinds{resources: map[schema.GroupVersion]map[string]bool{}, preferred: map[string]string{}}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	groups, lists, err := disc.ServerGroupsAndResourcesWithContext(rctx)
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return s, err
	}
	s.known = true
	for _, g := range groups {
		s.preferred[g.Name] = g.PreferredVersion.Version
	}
	for _, rl := range lists {
		gv, err := schema.ParseGroupVersion(rl.GroupVersion)
		if err != nil {
			continue
		}
		m := map[string]bool{}
		for _, r := range rl.APIResources {
			m[r.Name] = true
		}
		s.resources[gv] = m
	}
	return s, nil
}

// version returns the version to list a kind at: its own for built-in kinds (the typed model
// needs it), the group's preferred version, else any the table names, for add-ons.
func (s servedKinds) version(k Kind) (string, bool) {
	if !s.known {
		return k.Version, true
	}
	serves := func(v string) bool { return s.resources[schema.GroupVersion{Group: k.Group, Version: v}][k.Resource] }
	if !k.AddOn {
		return k.Version, serves(k.Version)
	}
	if p := s.preferred[k.Group]; p != "" && serves(p) {
		return p, true
	}
	for _, v := range append([]string{k.Version}, k.Versions...) {
		if serves(v) {
			return v, true
		}
	}
	return "", false
}

// listKind lists one kind page by page.
func (l *loader) listKind(ctx context.Context, k Kind) error {
	if l.opts.Namespace != "" && k.Kind == "Namespace" {
		return l.getNamespace(ctx, k)
	}
	ns := ""
	if k.Namespaced {
		ns = l.opts.Namespace
	}
	opts := metav1.ListOptions{Limit: l.opts.PageSize}
	if k.AddOn {
		opts.Limit = min(opts.Limit, addOnPageSize)
	}
	for {
		cont, err := l.page(ctx, k, ns, opts)
		if err != nil {
			return err
		}
		if cont == "" {
			return nil
		}
		opts.Continue = cont
	}
}

// page fetches one page, adds its objects, and returns the continue token.
func (l *loader) page(ctx context.Context, k Kind, ns string, opts metav1.ListOptions) (string, error) {
	rctx, cancel := context.WithTimeout(ctx, l.opts.RequestTimeout)
	defer cancel()
	switch {
	case k.MetadataOnly:
		list, err := l.meta.Resource(k.GVR()).Namespace(ns).List(rctx, opts)
		if err != nil {
			return "", err
		}
		for i := range list.Items {
			l.addMetadataOnly(k, &list.Items[i])
		}
		return list.Continue, nil
	case k.AddOn:
		list, err := l.dyn.Resource(k.GVR()).Namespace(ns).List(rctx, opts)
		if err != nil {
			return "", err
		}
		for i := range list.Items {
			stripAddOn(&list.Items[i], l.opts.KeepStatus)
			dropUniqueAddOn(&list.Items[i])
			o, err := addOnObject(k, &list.Items[i])
			if err != nil {
				l.scan.Errors = append(l.scan.Errors, subject.LoadError{Source: l.context, Message: err.Error()})
				continue
			}
			l.add(o)
		}
		return list.GetContinue(), nil
	}
	gv := schema.GroupVersion{Group: k.Group, Version: k.Version}
	listObj, err := scheme.Scheme.New(gv.WithKind(k.Kind + "List"))
	if err != nil {
		return "", fmt.Errorf("no Go type for %s: %w", gv.WithKind(k.Kind+"List"), err)
	}
	err = l.rest[gv].Get().NamespaceIfScoped(ns, ns != "").Resource(k.Resource).
		VersionedParams(&opts, scheme.ParameterCodec).Do(rctx).Into(listObj)
	if err != nil {
		return "", err
	}
	err = meta.EachListItem(listObj, func(obj runtime.Object) error {
		l.addTyped(k, obj)
		return nil
	})
	if err != nil {
		return "", err
	}
	lm, err := meta.ListAccessor(listObj)
	if err != nil {
		return "", err
	}
	return lm.GetContinue(), nil
}

func (l *loader) getNamespace(ctx context.Context, k Kind) error {
	rctx, cancel := context.WithTimeout(ctx, l.opts.RequestTimeout)
	defer cancel()
	ns := &corev1.Namespace{}
	err := l.rest[schema.GroupVersion{Version: "v1"}].Get().Resource(k.Resource).Name(l.opts.Namespace).Do(rctx).Into(ns)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	l.addTyped(k, ns)
	return nil
}

// addTyped adds a typed object, keeping of it only what checks read.
func (l *loader) addTyped(k Kind, obj runtime.Object) {
	om := subject.MetaOf(obj)
	if om == nil {
		return
	}
	written := writtenAs(om)
	om.ManagedFields = nil
	om.Annotations = dropLastApplied(om.Annotations)
	dropUnique(om)
	typed := any(obj)
	if madeByController(obj) && l.ownedByListedWorkload(om) {
		// Judged at its controller, listed before it: the placement checks need only where
		// a Pod runs, and the walk up to the controller the owners.
		typed = subject.NewControlled(obj)
	} else if keep := l.opts.KeepStatus; keep == nil || !keep(k.Kind) {
		// Conditions, a Node's images and volumes...: what no built-in check reads.
		subject.DropUnreadStatus(obj)
	}
	if subject.IsWorkloadKind(k.Kind) {
		l.workloads[ownerKey{k.Kind, om.Namespace, om.Name}] = true
	}
	l.add(&subject.Object{APIVersion: k.APIVersion(), Kind: k.Kind, Meta: subject.MetaOf(typed), Typed: typed,
		Extra: l.writtenExtra(written)})
}

// writtenExtra returns the Extra of an object its writers wrote in these apiVersions
// (writtenAs): one for all the objects written alike, most of a cluster's, which read it
// only, instead of an Extra and a slice each.
func (l *loader) writtenExtra(written []string) *subject.ObjectExtra {
	if len(written) == 0 {
		return nil
	}
	key := written[0]
	if len(written) > 1 {
		key = strings.Join(written, "\x00")
	}
	e, ok := l.extras[key]
	if !ok {
		e = subject.NewExtra(nil, nil, written)
		l.extras[key] = e
	}
	return e
}

// dropUnique clears what is unique to each object and read by no check: its UID, its
// resource version, a Pod's generated-name prefix and its owners' UIDs (the index finds an
// owner by kind and name). Each is a string of its own. With writtenExtra, the heap of a
// live scan of 60,600 objects when the checks start went from 126 to 115 MB.
func dropUnique(om *metav1.ObjectMeta) {
	om.UID, om.ResourceVersion, om.GenerateName = "", "", ""
	for i := range om.OwnerReferences {
		om.OwnerReferences[i].UID = ""
	}
}

// addMetadataOnly adds an object known only by its metadata, as its typed kind with an
// empty body: a Secret with no data, no type.
func (l *loader) addMetadataOnly(k Kind, pom *metav1.PartialObjectMetadata) {
	pom.ManagedFields = nil
	pom.Annotations = dropLastApplied(pom.Annotations)
	dropUnique(&pom.ObjectMeta)
	typed := subject.NewTyped(k.APIVersion(), k.Kind)
	om := subject.MetaOf(typed)
	if om == nil {
		return
	}
	*om = pom.ObjectMeta
	l.add(&subject.Object{APIVersion: k.APIVersion(), Kind: k.Kind, Meta: om, Typed: typed})
}

func (l *loader) add(o *subject.Object) {
	o.Namespace = o.Meta.Namespace
	o.NamespaceExplicit = o.Namespace != ""
	o.Input = subject.InputCluster
	l.shared.Object(o)
	// The body of a kind worth it is kept packed (subject.WorthPacking): the engine decodes
	// each object once while its checks judge it.
	if subject.WorthPacking(o.Kind) {
		o.Pack()
	}
	l.scan.Objects = append(l.scan.Objects, o)
}

// ownedByListedWorkload reports whether the object's controller is a workload already
// listed: the index will check it there, not here.
func (l *loader) ownedByListedWorkload(om *metav1.ObjectMeta) bool {
	ref := metav1.GetControllerOfNoCopy(om)
	return ref != nil && l.workloads[ownerKey{ref.Kind, om.Namespace, ref.Name}]
}

// madeByController reports whether obj is of a kind a workload controller makes from its
// template (a Pod, a ReplicaSet, a Job): under such a controller it is kept in its Controlled
// form. Other objects a workload owns (the claims of a StatefulSet) are read by checks
// whole.
func madeByController(obj any) bool {
	switch obj.(type) {
	case *corev1.Pod, *appsv1.ReplicaSet, *batchv1.Job:
		return true
	}
	return false
}

func dropLastApplied(a map[string]string) map[string]string {
	// Only when there: the cache's transform may see an object again, whose annotations are
	// then shared (subject.Shared), and a delete is a write even of a missing key.
	if _, ok := a[lastApplied]; !ok {
		return a
	}
	delete(a, lastApplied)
	if len(a) == 0 {
		// An emptied map keeps the room it had (about 300 bytes): most objects applied with
		// kubectl carry no other annotation.
		return nil
	}
	return a
}

// unreachable tells a connection that failed (the server is gone) from an answer the
// server gave (forbidden, not found, too many requests) and from a request that timed out.
func unreachable(err error) bool {
	var status apierrors.APIStatus
	if errors.As(err, &status) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	var ue *url.Error
	return errors.As(err, &ue) || strings.Contains(err.Error(), "connection refused")
}

// describe says what went wrong in a line: the API's reason for API errors.
func describe(err error) string {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		s := status.Status()
		switch {
		case s.Code == http.StatusUnauthorized:
			return "unauthorized (the credentials were refused): " + s.Message
		case s.Code == http.StatusForbidden:
			return "forbidden: " + s.Message
		case s.Code == http.StatusNotFound:
			return "not found (API group not served): " + s.Message
		case s.Reason == metav1.StatusReasonTimeout || s.Code == http.StatusGatewayTimeout:
			return "timed out: " + s.Message
		}
		return s.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out: " + err.Error()
	}
	return err.Error()
}
