// Package scan is akscheck's scan pipeline: it reads the sources of a request (paths, standard
// input, kube contexts, Azure clusters and subscriptions), evaluates the checks with the engine,
// applies the user's policy and the baseline, and returns one report per cluster. Every
// front-end (the CLI today; the admission webhook, the in-cluster audit and upgrade-plan) calls
// Run with a Request and only maps its flags or requests to one and its Result to an answer.
package scan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/baseline"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/memlimit"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// Request is one scan: what to read and how to judge it.
type Request struct {
	// Paths are files, directories and "-" (standard input, Load.Manifest.Stdin).
	Paths []string
	// Load tunes the file loaders (Helm, Kustomize, ARM, Terraform, Dockerfiles, image scan
	// reports, manifests and standard input).
	Load load.Options
	// Partial says the paths are part of a larger estate (the changed files of a commit):
	// the kinds the checks read besides their subjects are taken as not all there, so the
	// checks that need them are not evaluated instead of failing on what other files hold.
	Partial bool
	// Kube, when set, reads running clusters through the Kubernetes API.
	Kube *KubeSource
	// Azure, when set, reads AKS clusters through Azure Resource Manager.
	Azure *AzureSource

	// Catalog and Checks are what the reports account for and what runs (the built-in
	// checks and items plus the config's custom ones).
	Catalog *catalog.Catalog
	Checks  []*check.Check
	// Settings are the values of the checks' settings (nil: every default).
	Settings check.Settings
	// Policy holds disabled checks, severity overrides, exemptions and attestations.
	Policy *engine.Policy
	// Baseline, when set, suppresses the findings it recorded (BaselineSource names it). It
	// takes one report: a request for several clusters with a baseline is refused.
	Baseline       *baseline.File
	BaselineSource string

	// Focus, when set, limits judging to the subjects it accepts; the others are context
	// (the admission webhook judges the object under review beside the cluster's objects).
	Focus func(subject.Identity) bool
	// Index, when set, is the index the checks judge and read (engine.Options.Index).
	Index *subject.Index
	// Memo and Dirty make an evaluation incremental (engine.Options): a front-end that judges
	// the same estate again and again (the audit) keeps a Memo and passes, with it, which
	// subjects changed since the previous evaluation.
	Memo  *engine.Memo
	Dirty func(subject.Identity) bool
	// Reasons keeps the items' evidence reasons from one evaluation to the next
	// (engine.Options.Reasons): the webhook's, whose reviews all read the same evidence.
	Reasons *engine.Reasons

	// Version stamps the reports; Now is the clock (nil: the current time, and no
	// generatedAt in the reports).
	Version string
	Now     func() time.Time

	// KeepSubjects keeps what was read in each ClusterReport (Subjects), for front-ends that
	// build more than the report from it (upgrade-plan).
	KeepSubjects bool

	// Progress, when set, hears what a long scan is doing (reading, each cluster of a fleet,
	// evaluating). It may be called from several goroutines at once.
	Progress func(Event)
}

// Event is a step of a scan, for progress reports.
type Event struct {
	// Stage is "file" (one input was read: Source names it, Inputs and Subjects count what
	// was read so far), "read" (the files and the cluster were read), "cluster" (one cluster
	// of a fleet is done) or "evaluated" (the checks ran).
	Stage string
	// Source is the input of a "file" event (a file, a chart, a kustomization, a module).
	Source string
	// Cluster names the cluster of a fleet; Done and Total count the fleet's clusters.
	Cluster     string
	Done, Total int
	// Inputs and Subjects count what was read; Elapsed is the time since the scan started.
	Inputs, Subjects int
	Elapsed          time.Duration
}

// KubeSource names the running clusters to read.
type KubeSource struct {
	// Kubeconfig is the kubeconfig file ("" means $KUBECONFIG, ~/.kube/config, or the pod's
	// service account in a cluster).
	Kubeconfig string
	// Context picks a context ("" means the current one); AllContexts reads every context
	// of the kubeconfig, one report each.
	Context     string
	AllContexts bool
	// Namespace limits the live scan to one namespace ("" means all).
	Namespace string
	// HelmReleases also reads the manifests of the deployed Helm releases (live.Options).
	HelmReleases bool
}

// AzureSource names the AKS clusters to read through Azure Resource Manager.
type AzureSource struct {
	// Options say how to reach Azure: the credential (nil: DefaultAzureCredential) and the
	// SDK's client options (tests point them at a replay server).
	Options azure.Options
	// ResourceID names one AKS cluster; with Kube and no ResourceID, the cluster is found
	// from the kube context's API server address.
	ResourceID string
	// Subscriptions reads every AKS cluster of these subscriptions, one report each.
	Subscriptions []string
}

// Result is what a scan produced.
type Result struct {
	// Reports holds one report per cluster, in a stable order (the kube contexts' or the
	// subscriptions' clusters' order); a scan of files and one cluster has one.
	Reports []ClusterReport
	// Fleet is set when the request named several clusters (every context, a subscription):
	// front-ends then show a summary of the fleet after the reports.
	Fleet bool
}

// ClusterReport is the report of one cluster (or of the files of a scan without one).
type ClusterReport struct {
	// Name is the kube context or the resourceGroup/name of the AKS resource; "" for a scan
	// of files and at most one cluster.
	Name   string
	Report *report.Report
	// Read counts the subjects that were read (objects and Azure resources, Dockerfiles,
	// scan reports); zero with errors means nothing could be read.
	Read int
	// Subjects is what was read, when the request asked to keep it (KeepSubjects).
	Subjects *subject.Scan
}

// RequestError is a request that cannot be carried out as given: sources that exclude each
// other, a kubeconfig that cannot be read, a subscription without clusters. Nothing was
// scanned.
type RequestError struct{ Err error }

func (e *RequestError) Error() string { return e.Err.Error() }
func (e *RequestError) Unwrap() error { return e.Err }

func requestErr(format string, args ...any) error {
	return &RequestError{Err: fmt.Errorf(format, args...)}
}

// fleetWorkers is how many AKS clusters a fleet run reads at once: ARM answers are small,
// and the SDK retries when ARM throttles.
const fleetWorkers = 8

// Run carries out a request: it reads every source, evaluates the checks and returns the
// reports. An error means nothing was scanned (see RequestError); inputs that could not be
// read are error entries of the reports, beside what could.
func Run(ctx context.Context, req Request) (*Result, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	var az *azure.Client
	if req.Azure != nil {
		var err error
		if az, err = azure.New(req.Azure.Options); err != nil {
			return nil, &RequestError{Err: err}
		}
	}
	if req.releases() && os.Getenv("GOMEMLIMIT") == "" && os.Getenv("GOGC") == "" &&
		!load.InputsLargerThan(req.Paths, req.Load, budgetedInputSize) {
		defer memlimit.Hold(scanMemoryBudget)()
	}
	start := time.Now()
	progress := func(e Event) {
		if req.Progress != nil {
			e.Elapsed = time.Since(start)
			req.Progress(e)
		}
	}
	loadOpts := req.Load
	if req.Progress != nil {
		inputs, subjects := 0, 0
		loadOpts.Progress = func(source string, n int) {
			inputs++
			subjects += n
			progress(Event{Stage: "file", Source: source, Inputs: inputs, Subjects: subjects})
		}
	}
	files := load.Load(ctx, req.Paths, loadOpts)
	if req.Partial {
		files.Partial = "--partial"
	}
	clusters, workers, err := req.clusters(ctx, az)
	if err != nil {
		return nil, err
	}
	if clusters == nil {
		// Files only, or files and one cluster: one report.
		scan := files
		if err := req.addCluster(ctx, az, scan); err != nil {
			return nil, err
		}
		progress(Event{Stage: "read", Inputs: len(scan.Inputs), Subjects: len(scan.Objects) + len(scan.Others)})
		cr := req.evaluate(ctx, "", scan)
		progress(Event{Stage: "evaluated", Inputs: len(scan.Inputs), Subjects: cr.Read})
		req.collect()
		return &Result{Reports: []ClusterReport{cr}}, nil
	}

	// Several clusters: each is read and evaluated with the files beside it, by a bounded
	// pool; the reports keep the clusters' order whichever answered first.
	res := &Result{Reports: make([]ClusterReport, len(clusters)), Fleet: true}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for range max(1, min(workers, len(clusters))) {
		wg.Go(func() {
			for i := range jobs {
				scan := &subject.Scan{}
				scan.Merge(files)
				scan.Merge(clusters[i].load(ctx))
				res.Reports[i] = req.evaluate(ctx, clusters[i].name, scan)
				mu.Lock()
				done++
				progress(Event{Stage: "cluster", Cluster: clusters[i].name, Done: done, Total: len(clusters),
					Inputs: len(scan.Inputs), Subjects: res.Reports[i].Read})
				mu.Unlock()
				req.collect()
			}
		})
	}
	for i := range clusters {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return res, nil
}

// Evaluate runs the checks of a request over subjects that are already loaded, with the same
// policy, baseline and clock as Run: front-ends that hold their own subjects (an admission
// request's object) use it.
func Evaluate(ctx context.Context, req Request, s *subject.Scan) *report.Report {
	return engine.Run(ctx, req.Catalog, req.Checks, s, req.engineOptions())
}

func (req *Request) engineOptions() engine.Options {
	return engine.Options{Settings: req.Settings, Version: req.Version,
		Now: req.Now, Policy: req.Policy, Baseline: req.Baseline, BaselineSource: req.BaselineSource, Focus: req.Focus,
		Index: req.Index, Memo: req.Memo, Dirty: req.Dirty, Reasons: req.Reasons}
}

func (req *Request) evaluate(ctx context.Context, name string, s *subject.Scan) ClusterReport {
	cr := ClusterReport{Name: name, Read: len(s.Objects) + len(s.Others)}
	opts := req.engineOptions()
	opts.Release = req.releases()
	if opts.Release && os.Getenv("GOGC") == "" {
		opts.CollectorPercent = checksCollectorPercent
	}
	cr.Report = engine.Run(ctx, req.Catalog, req.Checks, s, opts)
	if req.KeepSubjects {
		cr.Subjects = s
	}
	return cr
}

// releases says whether what a run reads is only its report's: unless the request keeps it
// (a front-end with a memo keeps its objects in a cache), the objects can go before the
// report is built.
func (req *Request) releases() bool { return !req.KeepSubjects && req.Memo == nil }

// scanMemoryBudget is the runtime's soft memory limit while a scan whose report is all it
// gives runs (memlimit.Budget), unless GOMEMLIMIT or GOGC is set (the user chose the
// collector's trade; GOMEMLIMIT=off gives the runtime's default) or a container's limit is
// lower. The limit counts what the runtime holds, not the binary's own pages (about 58 MiB
// of RSS here): a scan whose objects fit peaks near 280 MiB of RSS. With it, the 51 MB file
// of 105,002 objects peaks at 275-279 MiB instead of 342-369, for 5-10% more CPU
// (docs/performance.md, "A memory budget for the scan").
const scanMemoryBudget = 224 << 20

// budgetedInputSize is the most input (files) a scan holds to the budget. A scan's heap
// holds about 3.6 bytes per byte of YAML when its checks end (185 MiB for the 51 MB file),
// so a larger input outgrows the budget; the cycles that hold it there on the way would cost
// it time (about 15% on a tree of 420,000 objects and 205 MB) for the same peak.
const budgetedInputSize = 64 << 20

// checksCollectorPercent is the collector's percent while the checks of a scan run, unless
// GOGC sets one (the user's choice wins). At the default 100, the heap of a live scan of
// 90,900 objects peaked at 277 MB while the checks ran, for 137 MB live; at 25 it peaks at
// the load's 174 MB (GODEBUG=gctrace=1), for about 15% more CPU in that scan and 5-15% in
// others (docs/performance.md, "The collector while the checks run").
const checksCollectorPercent = 25

// collect runs a garbage collection once a scan's subjects are no longer needed (the report
// holds what it says of them). The collector learns that they are garbage only at its next
// cycle, whose goal is twice the heap that held them; until then the report's rendering
// would grow the heap on top of them. Collected now, the dense tree of 42,000 objects peaks
// at about 310 MB of RSS instead of 355 MB, for a collection of what is left (the report):
// milliseconds.
func (req *Request) collect() {
	if !req.KeepSubjects {
		runtime.GC()
	}
}

func (req *Request) validate() error {
	if req.Catalog == nil {
		return requestErr("scan request without a catalog")
	}
	if req.Partial && (req.Kube != nil || req.Azure != nil) {
		return requestErr("--partial describes files that are part of an estate; a running cluster is read whole")
	}
	if req.Baseline != nil && req.multi() {
		return requestErr("a baseline takes one report; it does not work with several clusters")
	}
	return nil
}

// multi reports whether the request makes one report per cluster.
func (req *Request) multi() bool {
	return (req.Kube != nil && req.Kube.AllContexts) || (req.Azure != nil && len(req.Azure.Subscriptions) > 0)
}

// cluster is one cluster of a multi-cluster request: its name and how to read it.
type cluster struct {
	name string
	load func(ctx context.Context) *subject.Scan
}

// clusters lists the clusters of a multi-cluster request (nil for any other) and how many
// to read at once.
func (req *Request) clusters(ctx context.Context, az *azure.Client) ([]cluster, int, error) {
	if !req.multi() {
		return nil, 0, nil
	}
	if req.Azure != nil && len(req.Azure.Subscriptions) > 0 {
		// One Resource Graph query reads every cluster with its pools; each cluster's load
		// asks ARM only for what Resource Graph does not hold (azure.Fleet).
		subs := strings.Join(req.Azure.Subscriptions, ", ")
		fl, err := az.ReadFleet(ctx, req.Azure.Subscriptions)
		if err != nil {
			return nil, 0, &RequestError{Err: fmt.Errorf("listing the AKS clusters of %s: %w", subs, err)}
		}
		ids := fl.IDs()
		if len(ids) == 0 {
			return nil, 0, requestErr("no AKS cluster in %s", subs)
		}
		out := make([]cluster, 0, len(ids))
		for _, id := range ids {
			out = append(out, cluster{name: ClusterName(id), load: func(ctx context.Context) *subject.Scan { return fl.Load(ctx, id, nil) }})
		}
		return out, fleetWorkers, nil
	}
	targets, err := live.Targets(req.Kube.Kubeconfig, "", true)
	if err != nil {
		return nil, 0, &RequestError{Err: err}
	}
	out := make([]cluster, 0, len(targets))
	for _, t := range targets {
		out = append(out, cluster{name: t.Context, load: func(ctx context.Context) *subject.Scan {
			s := live.Load(ctx, t, req.Kube.liveOptions(req.Checks))
			if az != nil {
				observed := clustersOf(s)
				s.Merge(joinObserved(s, observed, ReadAKS(ctx, az, "", s)))
			}
			return s
		}})
	}
	// One cluster at a time: a live scan holds a cluster's objects in memory.
	return out, 1, nil
}

// addCluster adds the one cluster of a request (its kube context, its AKS resource) to the
// scan of its files.
func (req *Request) addCluster(ctx context.Context, az *azure.Client, s *subject.Scan) error {
	var observed []*subject.Cluster
	if req.Kube != nil {
		targets, err := live.Targets(req.Kube.Kubeconfig, req.Kube.Context, false)
		if err != nil {
			return &RequestError{Err: err}
		}
		liveScan := live.Load(ctx, targets[0], req.Kube.liveOptions(req.Checks))
		observed = clustersOf(liveScan)
		s.Merge(liveScan)
	}
	if az != nil {
		s.Merge(joinObserved(s, observed, ReadAKS(ctx, az, req.Azure.ResourceID, s)))
	}
	return nil
}

// clustersOf returns the AKS clusters among a scan's subjects.
func clustersOf(s *subject.Scan) []*subject.Cluster {
	var out []*subject.Cluster
	for _, o := range s.Others {
		if c, ok := o.(*subject.Cluster); ok {
			out = append(out, c)
		}
	}
	return out
}

// joinObserved makes one cluster of the AKS resource read from Azure (azScan) and the
// cluster its live scan observed (observed, among the subjects of s): the ARM description
// wins, the live observations fill only what it leaves absent or unknown (the node image the
// nodes run), and the observed cluster leaves s, so that one cluster is judged once. When
// Azure gave no cluster (it could not be read), the observed one stays. It returns azScan.
func joinObserved(s *subject.Scan, observed []*subject.Cluster, azScan *subject.Scan) *subject.Scan {
	arm := clustersOf(azScan)
	if len(arm) != 1 || len(observed) == 0 {
		return azScan
	}
	drop := map[subject.Subject]bool{}
	for _, c := range observed {
		arm[0].Observe(c)
		drop[c] = true
	}
	kept := s.Others[:0]
	for _, o := range s.Others {
		if !drop[o] {
			kept = append(kept, o)
		}
	}
	clear(s.Others[len(kept):])
	s.Others = kept
	return azScan
}

// JoinAzure merges an Azure read of a cluster (ReadAKS's scan) into a live scan of the same
// cluster as a scan with --cluster --azure does (joinObserved: the ARM description wins,
// the Nodes' observations fill the rest). azScan itself is left as it was, so that a
// front-end that keeps one Azure read across evaluations (the in-cluster audit) can join it
// into each: the clusters and pools the join completes are copies.
func JoinAzure(s, azScan *subject.Scan) {
	s.Merge(joinObserved(s, clustersOf(s), copyClusters(azScan)))
}

// copyClusters returns a scan of azScan's subjects whose AKS clusters and their node pools
// (what Cluster.Observe fills in) are copies.
func copyClusters(azScan *subject.Scan) *subject.Scan {
	out := *azScan
	out.Others = make([]subject.Subject, len(azScan.Others))
	for i, o := range azScan.Others {
		c, ok := o.(*subject.Cluster)
		if !ok {
			out.Others[i] = o
			continue
		}
		cp := *c
		cp.Pools = make([]*subject.NodePool, len(c.Pools))
		for j, p := range c.Pools {
			pc := *p
			cp.Pools[j] = &pc
		}
		out.Others[i] = &cp
	}
	return &out
}

// ReadAKS reads the AKS resource of a cluster through Azure Resource Manager: the one named
// by resourceID, else the one the live scan reached (found by its API server's host name, as
// a kube context names it, else by its Nodes' node resource group and subscription: in a pod
// the API server is kubernetes.default.svc). The registries read are those the scan's
// workloads pull from. What cannot be read is an error entry of the scan returned.
func ReadAKS(ctx context.Context, az *azure.Client, resourceID string, liveScan *subject.Scan) *subject.Scan {
	if resourceID == "" {
		var lc *subject.LiveCluster
		for _, o := range liveScan.Others {
			if c, ok := o.(*subject.LiveCluster); ok {
				lc = c
			}
		}
		if lc == nil {
			return &subject.Scan{Errors: []subject.LoadError{{Source: "azure",
				Message: "the AKS resource was not read: the live scan did not reach an API server to find it by (give --aks-resource-id)"}}}
		}
		id, err := findAKS(ctx, az, lc)
		if err != nil {
			return &subject.Scan{Errors: []subject.LoadError{{Source: lc.Context, Message: "the AKS resource was not read: " + err.Error()}}}
		}
		resourceID = id
	}
	return az.Load(ctx, resourceID, acrHosts(liveScan))
}

// labelCluster is the label AKS gives every Node: the cluster's node resource group.
const labelCluster = "kubernetes.azure.com/cluster"

// findAKS finds the ARM ID of the AKS cluster a live scan reached: by its API server's host
// name unless that is an in-cluster address (an IP address, kubernetes.default.svc), then by
// the resource group its Nodes run in.
func findAKS(ctx context.Context, az *azure.Client, lc *subject.LiveCluster) (string, error) {
	host := lc.Server
	if u, err := url.Parse(lc.Server); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	var byName error
	if !inClusterHost(host) {
		id, err := az.FindByFQDN(ctx, host)
		if err == nil {
			return id, nil
		}
		byName = err
	}
	sub, rg := nodeResourceGroup(lc.Nodes)
	switch {
	case rg != "":
		return az.FindByNodeResourceGroup(ctx, sub, rg)
	case byName != nil:
		return "", byName
	}
	return "", fmt.Errorf("the API server %s is an in-cluster address and no Node names the cluster's node resource group (label %s, providerID azure:///subscriptions/…/resourceGroups/…): give --aks-resource-id", host, labelCluster)
}

// inClusterHost reports whether an API server host is an address no AKS FQDN matches: an IP
// address or the in-cluster Service name a pod reaches it by.
func inClusterHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return net.ParseIP(h) != nil || h == "localhost" || h == "kubernetes" || h == "kubernetes.default" ||
		strings.HasSuffix(h, ".svc") || strings.HasSuffix(h, ".svc.cluster.local")
}

// nodeResourceGroup returns the subscription and the node resource group the Nodes say they
// run in: the kubernetes.azure.com/cluster label (or the providerID's resource group) and the
// providerID's subscription (azure:///subscriptions/SUB/resourceGroups/RG/providers/…).
func nodeResourceGroup(nodes []*corev1.Node) (subscription, group string) {
	for _, n := range nodes {
		parts := strings.Split(strings.Trim(strings.TrimPrefix(n.Spec.ProviderID, "azure://"), "/"), "/")
		if len(parts) >= 4 && strings.EqualFold(parts[0], "subscriptions") && strings.EqualFold(parts[2], "resourceGroups") {
			subscription = cmp.Or(subscription, parts[1])
			group = cmp.Or(group, parts[3])
		}
		if rg := n.Labels[labelCluster]; rg != "" {
			group = rg
		}
		if group != "" && subscription != "" {
			break
		}
	}
	return subscription, group
}

// acrHosts returns the Azure Container Registry hosts the scan's workloads pull from.
func acrHosts(s *subject.Scan) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range s.Objects {
		w := subject.NewWorkload(o)
		if w == nil {
			continue
		}
		for _, c := range w.Containers() {
			h := strings.ToLower(c.ImageRef.Registry)
			if strings.HasSuffix(h, ".azurecr.io") && !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	sort.Strings(out)
	return out
}

// liveOptions are the live loader's options of a kube source, for these checks.
func (k *KubeSource) liveOptions(checks []*check.Check) live.Options {
	return live.Options{Namespace: k.Namespace, HelmReleases: k.HelmReleases, KeepStatus: check.StatusReaders(checks)}
}

// ClusterName is resourceGroup/name of an ARM ID, for reports and file names.
func ClusterName(id string) string {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	if len(parts) >= 8 {
		return parts[3] + "/" + parts[len(parts)-1]
	}
	return id
}

// IsRequestError reports whether err is a request that could not be carried out as given.
func IsRequestError(err error) bool {
	var re *RequestError
	return errors.As(err, &re)
}
