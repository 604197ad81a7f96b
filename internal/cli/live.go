package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/config"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// liveFlags are the flags of scan that read running clusters.
type liveFlags struct {
	cluster       bool
	kubeconfig    string
	context       string
	allContexts   bool
	azure         bool
	aksResourceID string
	subscriptions []string
}

func (l *liveFlags) register(fl *pflag.FlagSet) {
	fl.BoolVar(&l.cluster, "cluster", false, "scan the running cluster of the current kube context through the Kubernetes API (read-only; with -n, only that namespace)")
	fl.StringVar(&l.kubeconfig, "kubeconfig", "", "kubeconfig file for --cluster (default: $KUBECONFIG, ~/.kube/config, or the pod's service account in a cluster)")
	fl.StringVar(&l.context, "context", "", "kube context for --cluster (default: the current context)")
	fl.BoolVar(&l.allContexts, "all-contexts", false, "with --cluster, scan every context of the kubeconfig: one report per cluster, then a summary")
	fl.BoolVar(&l.azure, "azure", false, "also read the AKS resource through Azure Resource Manager (DefaultAzureCredential: az login, workload or managed identity, environment): "+
		"cluster, node pools, maintenance configurations, upgrade profiles, diagnostic settings, Defender plan, registries")
	fl.StringVar(&l.aksResourceID, "aks-resource-id", "", "with --azure, the ARM ID of the AKS cluster (default: found from the kube context's API server)")
	fl.StringArrayVar(&l.subscriptions, "subscription", nil, "with --azure, check every AKS cluster of this subscription (repeatable), listed through Azure Resource Graph: one report per cluster, then a summary")
}

// any reports whether a live input was asked for, so that scan needs no path.
func (l *liveFlags) any() bool { return l.cluster || l.azure }

func (l *liveFlags) validate() error {
	if !l.cluster && (l.kubeconfig != "" || l.context != "" || l.allContexts) {
		return usageErr("--kubeconfig, --context and --all-contexts need --cluster")
	}
	if l.allContexts && l.context != "" {
		return usageErr("--context and --all-contexts exclude each other")
	}
	if !l.azure && (l.aksResourceID != "" || len(l.subscriptions) > 0) {
		return usageErr("--aks-resource-id and --subscription need --azure")
	}
	if l.azure && !l.cluster && l.aksResourceID == "" && len(l.subscriptions) == 0 {
		return usageErr("--azure needs --cluster (to find the AKS resource of the kube context), --aks-resource-id or --subscription")
	}
	if len(l.subscriptions) > 0 && (l.cluster || l.aksResourceID != "") {
		return usageErr("--subscription checks every cluster of the subscriptions; it excludes --cluster and --aks-resource-id")
	}
	if l.aksResourceID != "" && l.allContexts {
		return usageErr("--aks-resource-id names one cluster; it excludes --all-contexts")
	}
	return nil
}

// multi reports whether the run makes one report per cluster.
func (l *liveFlags) multi() bool { return (l.cluster && l.allContexts) || len(l.subscriptions) > 0 }

// liveOptions are the live loader's options from the scan flags: -n limits a live scan to
// one namespace.
func liveOptions(f *scanFlags) live.Options { return live.Options{Namespace: f.namespace} }

// addLive adds the cluster of --cluster (one context) and its AKS resource (--azure) to a
// scan.
func (a *app) addLive(ctx context.Context, f *scanFlags, scan *subject.Scan) error {
	var az *azure.Client
	if f.live.azure {
		var err error
		if az, err = a.azureClient(); err != nil {
			return err
		}
	}
	if f.live.cluster {
		targets, err := live.Targets(f.live.kubeconfig, f.live.context, false)
		if err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		scan.Merge(live.Load(ctx, targets[0], liveOptions(f)))
	}
	if az != nil {
		scan.Merge(readAKS(ctx, az, f.live.aksResourceID, scan))
	}
	return nil
}

func (a *app) azureClient() (*azure.Client, error) {
	opts := azure.Options{}
	if a.io.Azure != nil {
		opts = *a.io.Azure
	}
	c, err := azure.New(opts)
	if err != nil {
		return nil, &exitError{code: ExitUsage, err: err}
	}
	return c, nil
}

// readAKS reads the AKS resource of a cluster: the one named, else the one whose API server
// the live scan reached. The registries read are those the live scan's images come from.
func readAKS(ctx context.Context, az *azure.Client, resourceID string, liveScan *subject.Scan) *subject.Scan {
	var lc *subject.LiveCluster
	for _, s := range liveScan.Others {
		if c, ok := s.(*subject.LiveCluster); ok {
			lc = c
		}
	}
	if resourceID == "" {
		if lc == nil {
			return &subject.Scan{Errors: []subject.LoadError{{Source: "azure",
				Message: "the AKS resource was not read: the live scan did not reach an API server to find it by (give --aks-resource-id)"}}}
		}
		host := lc.Server
		if u, err := url.Parse(lc.Server); err == nil && u.Hostname() != "" {
			host = u.Hostname()
		}
		id, err := az.FindByFQDN(ctx, host)
		if err != nil {
			return &subject.Scan{Errors: []subject.LoadError{{Source: lc.Context, Message: "the AKS resource was not read: " + err.Error()}}}
		}
		resourceID = id
	}
	return az.Load(ctx, resourceID, acrHosts(liveScan))
}

// acrHosts returns the Azure Container Registry hosts the scan's workloads pull from.
func acrHosts(scan *subject.Scan) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range scan.Objects {
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

// unit is one cluster of a multi-cluster run: its name and how to read it.
type unit struct {
	name string
	load func(ctx context.Context) *subject.Scan
}

// multiRun is what a multi-cluster run shares between its clusters.
type multiRun struct {
	cmd      *cobra.Command
	f        *scanFlags
	resolved *config.Resolved
	params   check.Params
	outs     []output
	failOn   check.Severity
	// base is the scan of the paths given beside the clusters, merged into each report.
	base    *subject.Scan
	workers int
}

// runMulti reads the units with a bounded pool of workers, and writes one report per unit in
// the units' order, then a summary. Reports are written once all are done, so that their
// order does not depend on which cluster answered first.
func (a *app) runMulti(ctx context.Context, m multiRun, units []unit) error {
	if m.f.report.baseline != "" || m.f.report.writeBaseline != "" {
		return usageErr("--baseline and --write-baseline take one report; they do not work with several clusters")
	}
	for _, o := range m.outs {
		if o.file == "" && o.format != "table" && o.format != "json" && o.format != "yaml" {
			return usageErr("--output %s: with several clusters write it to files (%s=FILE gives one file per cluster)", o.format, o.format)
		}
	}
	reports := make([]*report.Report, len(units))
	read := make([]int, len(units))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(m.workers, len(units))) {
		wg.Go(func() {
			for i := range jobs {
				scan := &subject.Scan{}
				if m.base != nil {
					scan.Merge(m.base)
				}
				scan.Merge(units[i].load(ctx))
				read[i] = len(scan.Objects) + len(scan.Others)
				reports[i] = engine.Run(ctx, m.resolved.Catalog, m.resolved.Checks, scan,
					engine.Options{Params: m.params, Version: Version(), Now: a.now, Policy: m.resolved.Policy})
			}
		})
	}
	for i := range units {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	out := m.cmd.OutOrStdout()
	worst := 0
	var exitErr error
	for i, rep := range reports {
		rc := renderContext{rep: rep, cat: m.resolved.Catalog, checks: m.resolved.Checks, docsBaseURL: m.f.report.docsBaseURL, noColor: m.f.noColor}
		if err := writeMultiOutputs(out, m.outs, rc, units[i].name); err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		err := m.f.report.gate(m.cmd, rep, exitFor(rep, read[i], m.failOn))
		if code := exitCode(err); code > worst {
			worst, exitErr = code, err
		}
	}
	if err := writeSummary(out, m.outs, units, reports); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	if exitErr != nil {
		if ee, ok := exitErr.(*exitError); ok && ee.err != nil {
			return &exitError{code: ee.code, err: fmt.Errorf("%w (at least one cluster)", ee.err)}
		}
	}
	return exitErr
}

func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	if ee, ok := err.(*exitError); ok {
		return ee.code
	}
	return ExitUsage
}

// writeMultiOutputs writes one cluster's report: JSON as one line (JSON Lines: one report
// per line), YAML as one document of a stream, the table under a heading; a FORMAT=FILE
// output goes to FILE with the cluster's name before the extension.
func writeMultiOutputs(stdout io.Writer, outs []output, rc renderContext, name string) error {
	for _, o := range outs {
		if o.file != "" {
			if err := writeOutputs(stdout, []output{{format: o.format, file: perClusterFile(o.file, name)}}, rc); err != nil {
				return err
			}
			continue
		}
		var buf bytes.Buffer
		color := o.format == "table" && !rc.noColor && isTerminal(stdout)
		if err := render(&buf, o.format, rc, color); err != nil {
			return err
		}
		var err error
		switch o.format {
		case "json":
			var line bytes.Buffer
			if err = json.Compact(&line, buf.Bytes()); err == nil {
				line.WriteByte('\n')
				_, err = stdout.Write(line.Bytes())
			}
		case "yaml":
			_, err = fmt.Fprintf(stdout, "---\n%s", buf.Bytes())
		default:
			_, err = fmt.Fprintf(stdout, "\n== %s\n\n%s", name, buf.Bytes())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// perClusterFile puts a cluster's name before a file's extension: report.json → report.prod.json.
func perClusterFile(file, name string) string {
	safe := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r == ' ' || r == os.PathSeparator {
			return '_'
		}
		return r
	}, name)
	ext := filepath.Ext(file)
	return strings.TrimSuffix(file, ext) + "." + safe + ext
}

// clusterSummary is one line of the summary of a multi-cluster run.
type clusterSummary struct {
	Cluster  string         `json:"cluster"`
	Score    *float64       `json:"score,omitempty"`
	Findings map[string]int `json:"findings"`
	Items    map[string]int `json:"items"`
	Errors   int            `json:"errors"`
}

// writeSummary ends a multi-cluster run: a table after the tables, and for JSON a last line
// {"fleetSummary": [...]} after the reports' lines (the only line that is not a report).
func writeSummary(stdout io.Writer, outs []output, units []unit, reports []*report.Report) error {
	sums := make([]clusterSummary, len(units))
	for i, rep := range reports {
		sums[i] = clusterSummary{Cluster: units[i].name, Score: rep.Summary.Score, Findings: rep.Summary.Findings,
			Items: rep.Summary.Items, Errors: len(rep.Errors)}
	}
	for _, o := range outs {
		if o.file != "" {
			continue
		}
		switch o.format {
		case "json":
			line, err := json.Marshal(map[string]any{"fleetSummary": sums})
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(stdout, "%s\n", line)
			return err
		case "table":
			fmt.Fprintf(stdout, "\n== summary of %d clusters\n\n", len(sums))
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CLUSTER\tSCORE\tCRITICAL\tHIGH\tMEDIUM\tLOW\tFAILED ITEMS\tERRORS")
			for _, s := range sums {
				score := "-"
				if s.Score != nil {
					score = fmt.Sprintf("%.1f", *s.Score)
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", s.Cluster, score, s.Findings["critical"], s.Findings["high"],
					s.Findings["medium"], s.Findings["low"], s.Items[report.StatusFail], s.Errors)
			}
			return tw.Flush()
		}
	}
	return nil
}

// multiUnits are the clusters of a multi-cluster run: every kube context (--all-contexts),
// or every AKS cluster of the subscriptions (--subscription).
func (a *app) multiUnits(ctx context.Context, f *scanFlags) (units []unit, workers int, err error) {
	var az *azure.Client
	if f.live.azure {
		if az, err = a.azureClient(); err != nil {
			return nil, 0, err
		}
	}
	if len(f.live.subscriptions) > 0 {
		ids, err := az.ListClusters(ctx, f.live.subscriptions)
		if err != nil {
			return nil, 0, &exitError{code: ExitUsage, err: fmt.Errorf("listing the AKS clusters of %s: %w", strings.Join(f.live.subscriptions, ", "), err)}
		}
		if len(ids) == 0 {
			return nil, 0, &exitError{code: ExitUsage, err: fmt.Errorf("no AKS cluster in %s", strings.Join(f.live.subscriptions, ", "))}
		}
		for _, id := range ids {
			units = append(units, unit{name: clusterName(id), load: func(ctx context.Context) *subject.Scan { return az.Load(ctx, id, nil) }})
		}
		// ARM answers are small: several clusters are read at once, within the SDK's
		// retries when ARM throttles.
		return units, fleetWorkers, nil
	}
	targets, err := live.Targets(f.live.kubeconfig, "", true)
	if err != nil {
		return nil, 0, &exitError{code: ExitUsage, err: err}
	}
	for _, t := range targets {
		units = append(units, unit{name: t.Context, load: func(ctx context.Context) *subject.Scan {
			scan := live.Load(ctx, t, liveOptions(f))
			if az != nil {
				scan.Merge(readAKS(ctx, az, "", scan))
			}
			return scan
		}})
	}
	// One cluster at a time: a live scan holds a cluster's objects in memory.
	return units, 1, nil
}

// fleetWorkers is how many AKS clusters a fleet run reads at once.
const fleetWorkers = 8

// clusterName is resourceGroup/name of an ARM ID, for reports and file names.
func clusterName(id string) string {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	if len(parts) >= 8 {
		return parts[3] + "/" + parts[len(parts)-1]
	}
	return id
}
