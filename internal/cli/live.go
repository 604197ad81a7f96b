package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/akscheck/akscheck/internal/load/azure"
	"github.com/akscheck/akscheck/internal/render"
	"github.com/akscheck/akscheck/internal/render/fleet"
	"github.com/akscheck/akscheck/internal/scan"
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
	fl.StringArrayVar(&l.subscriptions, "subscription", nil, "with --azure, check every AKS cluster of this subscription (repeatable), read through Azure Resource Graph: one report per cluster, then a summary")
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

// kube is the live source of the flags: nil without --cluster. -n limits a live scan to one
// namespace.
func (l *liveFlags) kube(namespace string) *scan.KubeSource {
	if !l.cluster {
		return nil
	}
	return &scan.KubeSource{Kubeconfig: l.kubeconfig, Context: l.context, AllContexts: l.allContexts, Namespace: namespace}
}

// azureSource is the Azure source of the flags: nil without --azure. opts, when set, say how
// to reach Azure (tests); nil means DefaultAzureCredential and the public cloud.
func (l *liveFlags) azureSource(opts *azure.Options) *scan.AzureSource {
	if !l.azure {
		return nil
	}
	src := &scan.AzureSource{ResourceID: l.aksResourceID, Subscriptions: l.subscriptions}
	if opts != nil {
		src.Options = *opts
	}
	return src
}

// writeFleet writes the reports of a run over several clusters in their order, then the
// fleet's summary, and exits with the worst cluster's exit code.
func (a *app) writeFleet(cmd *cobra.Command, f *scanFlags, outs []output, gate exitPolicy, res *scan.Result) error {
	out := cmd.OutOrStdout()
	exits := make([]error, len(res.Reports))
	clusters := make([]fleet.Cluster, len(res.Reports))
	for i, cr := range res.Reports {
		clusters[i] = fleet.Cluster{Name: cr.Name, Report: cr.Report}
		rc := render.Context{Report: cr.Report, Catalog: a.resolved.Catalog, Checks: a.resolved.Checks, DocsBaseURL: f.report.docsBaseURL}
		if err := writeClusterOutputs(out, outs, rc, f.noColor, cr.Name); err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		exits[i] = f.report.gate(cmd, cr.Report, gate.exitFor(io.Discard, cr.Report, cr.Read))
	}
	for _, o := range outs {
		if o.file == "" && o.format.Fleet != nil {
			if err := o.format.Fleet(out, clusters); err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
		}
	}
	return fleetExit(cmd.ErrOrStderr(), res.Reports, exits, gate)
}

// fleetExit is the exit of a run over several clusters: 2 when no cluster could be read, 3
// when some could not be read in full (a warning with --allow-errors), else 1 when a
// cluster has findings at or above --fail-on, else 0. The reason names the clusters.
func fleetExit(stderr io.Writer, reports []scan.ClusterReport, exits []error, gate exitPolicy) error {
	var unread, partial, failing []string
	var first error
	for i, err := range exits {
		switch exitCode(err) {
		case ExitUsage:
			unread = append(unread, reports[i].Name)
		case ExitPartial:
			partial = append(partial, reports[i].Name)
		case ExitFindings:
			failing = append(failing, reports[i].Name)
		default:
			continue
		}
		if first == nil {
			first = err
		}
	}
	switch {
	case len(unread) == len(reports):
		return &exitError{code: ExitUsage, err: fmt.Errorf("no cluster could be read (%s: %w)", reports[0].Name, first)}
	case len(unread)+len(partial) > 0 && !gate.allowErrors:
		return &exitError{code: ExitPartial, err: fmt.Errorf("%d of %d clusters could not be read in full (%s); --allow-errors makes this a warning",
			len(unread)+len(partial), len(reports), strings.Join(append(unread, partial...), ", "))}
	case len(unread)+len(partial) > 0:
		gate.verbosity.warn(stderr, "%d of %d clusters could not be read in full (%s), allowed by --allow-errors",
			len(unread)+len(partial), len(reports), strings.Join(append(unread, partial...), ", "))
	}
	if len(failing) > 0 {
		return &exitError{code: ExitFindings, err: fmt.Errorf("%d of %d clusters fail: %s", len(failing), len(reports), strings.Join(failing, ", "))}
	}
	return nil
}

func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitUsage
}

// writeClusterOutputs writes one cluster's report of several: on standard output as the
// format streams reports (JSON Lines, a YAML document, the table under a heading); a
// FORMAT=FILE output goes to FILE with the cluster's name before the extension.
func writeClusterOutputs(stdout io.Writer, outs []output, rc render.Context, noColor bool, name string) error {
	for _, o := range outs {
		if o.file != "" {
			if err := writeOutputs(stdout, []output{{format: o.format, file: perClusterFile(o.file, name)}}, rc, noColor); err != nil {
				return err
			}
			continue
		}
		var buf bytes.Buffer
		rc.Color, rc.Width = false, 0
		if o.format.Terminal {
			rc.Color = !noColor && isTerminal(stdout)
			rc.Width = terminalWidth(stdout)
		}
		if err := o.format.Render(&buf, rc); err != nil {
			return err
		}
		if err := o.format.Stream(stdout, name, buf.Bytes()); err != nil {
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
