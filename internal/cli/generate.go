package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/guardrails"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/helm"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/subject"
)

func (a *app) generateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Generate objects that answer akscheck's findings",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageErr("generate needs a subcommand: guardrails")
		},
	}
	cmd.AddCommand(a.guardrailsCommand())
	return cmd
}

type guardrailsFlags struct {
	namespace      string
	from           []string
	cluster        bool
	kubeconfig     string
	context        string
	outputDir      string
	outputFile     string
	headroom       float64
	scaleFactor    float64
	cpuUtilization int32
	maxUnavailable string
	nodes          int
	quiet          bool
}

func (a *app) guardrailsCommand() *cobra.Command {
	f := &guardrailsFlags{}
	cmd := &cobra.Command{
		Use:   "guardrails --namespace N (--from PATH... | --cluster)",
		Short: "Write a namespace's default-deny policy, quota, limit range, disruption budgets and autoscalers",
		Long: `Write the namespace-level objects akscheck's checks ask for, sized from the namespace's
workloads as read from files (--from, as scan reads them: manifests, charts, kustomizations)
or from the running cluster (--cluster):

  - a default-deny NetworkPolicy (ingress and egress), egress allowed only to DNS (UDP and
    TCP 53 to the kube-dns pods of kube-system), so IMDS (169.254.169.254) is out of reach;
  - a ResourceQuota: the workloads' requests and limits at full scale times --headroom;
  - a LimitRange with container defaults: the medians of what the containers declare;
  - a PodDisruptionBudget (maxUnavailable --max-unavailable) for each Deployment and
    StatefulSet with 2 or more replicas that no budget covers;
  - a HorizontalPodAutoscaler skeleton (CPU utilization) for each Deployment and StatefulSet
    nothing scales: minReplicas its replicas, maxReplicas that times --scale-factor.

An object is written only where a check finds it missing: what the namespace already has is
skipped, and standard error says what was skipped and why. Every object is labelled
app.kubernetes.io/managed-by: akscheck and headed by a comment that says how it was sized
(docs/guardrails.md). The YAML goes to standard output, to one file (--output-file), or one
file per object (-o DIR). Exit 0 when written, 2 on bad input (an unknown namespace, input
that cannot be read, an option out of range).`,
		Example: `  akscheck generate guardrails -n shop --from k8s/
  akscheck generate guardrails -n shop --from k8s/ -o guardrails/
  akscheck generate guardrails -n shop --cluster --context aks-prod --headroom 2`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runGuardrails(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.namespace, "namespace", "n", "", "the namespace to write guardrails for (required); objects of the input that name no namespace are placed in it")
	fl.StringArrayVar(&f.from, "from", nil, "file, directory, chart or kustomization to read the namespace from (- for standard input), repeatable")
	fl.BoolVar(&f.cluster, "cluster", false, "read the namespace from the running cluster of the current kube context (read-only)")
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file for --cluster (default: $KUBECONFIG, ~/.kube/config, or the pod's service account in a cluster)")
	fl.StringVar(&f.context, "context", "", "kube context for --cluster (default: the current context)")
	fl.StringVarP(&f.outputDir, "output-dir", "o", "", "write one file per object into this directory (created if missing) instead of standard output")
	fl.StringVar(&f.outputFile, "output-file", "", "write every object into this file instead of standard output")
	fl.Float64Var(&f.headroom, "headroom", guardrails.DefaultHeadroom, "the quota is the namespace's requests and limits at full scale times this factor (1 to 100)")
	fl.Float64Var(&f.scaleFactor, "scale-factor", guardrails.DefaultScaleFactor, "an autoscaler's maxReplicas is the workload's replicas times this factor (above 1, at most 100)")
	fl.Int32Var(&f.cpuUtilization, "cpu-utilization", guardrails.DefaultCPUUtilization, "the autoscalers' target average CPU utilization, in percent of the request (1 to 100)")
	fl.StringVar(&f.maxUnavailable, "max-unavailable", guardrails.DefaultMaxUnavailable, "the budgets' maxUnavailable: a number of pods from 1, or a percentage from 1% to 99%")
	fl.IntVar(&f.nodes, "nodes", guardrails.DefaultNodes, "nodes a DaemonSet's pods are counted on for the quota")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "do not say on standard error what was skipped and why")
	_ = cmd.MarkFlagRequired("namespace")
	return cmd
}

func (a *app) runGuardrails(cmd *cobra.Command, f *guardrailsFlags) error {
	if len(f.from) == 0 && !f.cluster {
		return usageErr("generate guardrails needs --from PATH (files, a directory, - for standard input) or --cluster")
	}
	if !f.cluster && (f.kubeconfig != "" || f.context != "") {
		return usageErr("--kubeconfig and --context need --cluster")
	}
	if f.outputDir != "" && f.outputFile != "" {
		return usageErr("--output-dir and --output-file exclude each other")
	}
	opts := guardrails.DefaultOptions(f.namespace)
	opts.Headroom, opts.ScaleFactor, opts.CPUUtilization, opts.Nodes = f.headroom, f.scaleFactor, f.cpuUtilization, f.nodes
	mu, err := guardrails.ParseMaxUnavailable(f.maxUnavailable)
	if err != nil {
		return usageErr("--max-unavailable: %v", err)
	}
	opts.MaxUnavailable = mu
	resolved := a.resolved
	opts.Settings = resolved.Settings
	// Only the checks whose findings the guardrails answer run, all of them on whatever the
	// config disables or exempts: what the namespace lacks is a fact, not a policy.
	var checks []*check.Check
	for _, c := range resolved.Checks {
		if slices.Contains(guardrails.Checks, c.ID) {
			checks = append(checks, c)
		}
	}
	req := scan.Request{
		Paths: f.from,
		Load: load.Options{Helm: helm.Options{Namespace: f.namespace}, MaxTotalSize: load.DefaultMaxTotalSize,
			Manifest: manifest.Options{Namespace: f.namespace, MaxFileSize: manifest.DefaultMaxFileSize, Stdin: a.io.In}},
		Catalog: resolved.Catalog, Checks: checks, Settings: resolved.Settings,
		Version: Version(), Now: a.now, KeepSubjects: true,
	}
	if f.cluster {
		req.Kube = &scan.KubeSource{Kubeconfig: f.kubeconfig, Context: f.context, Namespace: f.namespace}
	}
	res, err := scan.Run(cmd.Context(), req)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	cr := res.Reports[0]
	rep := cr.Report
	// Guardrails sized from part of the namespace would be wrong: any input error stops them.
	if len(rep.Errors) > 0 {
		return usageErr("%d input error(s), so the namespace cannot be sized; the first: %s", len(rep.Errors), errorLine(rep.Errors[0]))
	}
	if cr.Read == 0 {
		return usageErr("no Kubernetes object in the input: nothing to size the guardrails of namespace %s from", f.namespace)
	}
	// A kind the cluster would not list leaves its checks without findings: the guardrails
	// would take it for present. Cluster-wide policies are out of a namespace's read: said.
	var notes []string
	for _, kind := range requiredKinds(checks) {
		why, unlisted := cr.Subjects.Unlisted[kind]
		switch {
		case !unlisted:
		case subject.IsClusterScoped(kind):
			notes = append(notes, fmt.Sprintf("%s objects were not read (%s): a default deny one of them gives namespace %s is not seen, and the namespace's own is written", kind, why, f.namespace))
		default:
			return usageErr("could not list %s (%s): the guardrails of namespace %s cannot be decided without them", kind, why, f.namespace)
		}
	}
	out, err := guardrails.Generate(cr.Subjects, rep.Findings, opts)
	if err != nil {
		var ie *guardrails.InputError
		if errors.As(err, &ie) {
			return usageErr("%v", err)
		}
		return &exitError{code: ExitUsage, err: fmt.Errorf("generating guardrails: %w", err)}
	}
	stderr := cmd.ErrOrStderr()
	if !f.quiet {
		for _, n := range append(notes, out.Notes...) {
			fmt.Fprintf(stderr, "akscheck: %s\n", sanitize.Lines(n))
		}
	}
	if len(out.Objects) == 0 {
		fmt.Fprintf(stderr, "akscheck: nothing to generate: namespace %s has every guardrail akscheck writes\n", sanitize.Text(f.namespace))
		return nil
	}
	switch {
	case f.outputDir != "":
		if err := os.MkdirAll(f.outputDir, 0o755); err != nil {
			return usageErr("--output-dir: %v", err)
		}
		for _, o := range out.Objects {
			data, err := o.YAML()
			if err != nil {
				return &exitError{code: ExitUsage, err: err}
			}
			path := filepath.Join(f.outputDir, o.FileName())
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return usageErr("writing %s: %v", path, err)
			}
		}
	case f.outputFile != "":
		var buf bytes.Buffer
		if err := guardrails.Write(&buf, out.Objects); err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		if err := os.WriteFile(f.outputFile, buf.Bytes(), 0o644); err != nil {
			return usageErr("--output-file: %v", err)
		}
	default:
		if err := guardrails.Write(cmd.OutOrStdout(), out.Objects); err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
	}
	return nil
}

// requiredKinds are the kinds the guardrail checks read: their Requires and the workloads,
// sorted.
func requiredKinds(checks []*check.Check) []string {
	kinds := slices.Clone(subject.WorkloadKinds)
	for _, c := range checks {
		kinds = append(kinds, c.Requires...)
	}
	slices.Sort(kinds)
	return slices.Compact(kinds)
}
