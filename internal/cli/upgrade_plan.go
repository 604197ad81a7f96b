package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/akscheck/akscheck/internal/aksversion"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/arm"
	"github.com/akscheck/akscheck/internal/load/helm"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/load/terraform"
	"github.com/akscheck/akscheck/internal/render/planout"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
	"github.com/akscheck/akscheck/internal/upgrade"
)

type upgradePlanFlags struct {
	live          liveFlags
	outputs       []string
	to            string
	failOn        string
	allowErrors   bool
	verbosity     verbosity
	namespace     string
	versionsFile  string
	helmValues    []string
	helmSet       []string
	releaseName   string
	armParameters []string
	tfVarFiles    []string
	exclude       []string
	include       []string
}

func (a *app) upgradePlanCommand() *cobra.Command {
	f := &upgradePlanFlags{}
	cmd := &cobra.Command{
		Use:   "upgrade-plan [--to 1.N] [PATH...]",
		Short: "Plan a Kubernetes upgrade: path, removed APIs, drain blockers, surge capacity, verdict",
		Long: `Answer "what breaks if this cluster is upgraded to 1.N" in one report, from the same inputs
as scan (manifests, charts, cluster JSON, templates, Terraform) or a running cluster
(--cluster, --azure):

  1. Target and path: --to, else the next minor of the cluster's upgrade profile (az aks
     get-upgrades output, or --azure) or of the shipped AKS calendar (further, to the first
     minor in support, when the next one is out of support); every minor on the way (minors
     cannot be skipped) with its support and end of life; node pools the first step would
     leave more than two minors behind.
  2. Removed and deprecated APIs: objects whose apiVersion the path stops serving (blockers)
     or deprecates, with the replacement: from files, from live objects as their writers wrote
     them (kubectl's last-applied copy, managedFields), and from the manifests of deployed
     Helm releases (the Secrets of type helm.sh/release.v1: only the manifest is decoded, no
     value is ever shown).
  3. Drain blockers: budgets that allow no eviction, single replicas under a budget, pods
     without a controller, data on nodes, each pool's maxSurge, drain timeout and soak.
  4. Capacity for surge: the addresses each pool's surge nodes take from its subnet.
  5. AKS changes of the path that touch the cluster's pools.

The verdict is go, go-with-warnings or no-go; blockers are high severity, warnings medium or
low, the rest info. The exit code follows --fail-on as in scan (default high: a no-go exits 1).

Report formats (-o FORMAT, or -o FORMAT=FILE): table, json (docs/upgrade-plan.schema.json),
jsonl, yaml, sarif, junit, html, markdown, csv.`,
		Example: `  akscheck upgrade-plan examples/cluster/ k8s/
  az aks get-upgrades -g rg -n aks -o json > upgrades.json; akscheck upgrade-plan aks.json upgrades.json
  akscheck upgrade-plan --to 1.36 -o markdown k8s/
  akscheck upgrade-plan --cluster --azure --to 1.36`,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runUpgradePlan(cmd, f, args) },
	}
	fl := cmd.Flags()
	f.live.register(fl)
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "plan format, or FORMAT=FILE to write it to a file; repeatable (default table). Formats: "+strings.Join(planFormatNames(), ", "))
	fl.StringVar(&f.to, "to", "", "the Kubernetes minor to plan to (1.N; default: the next minor, or the first in support)")
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a finding is at or above this severity: critical, high, medium, low or info; none only reports")
	fl.BoolVar(&f.allowErrors, "allow-errors", false, "inputs that could not be read are a warning on stderr, not exit code 3")
	fl.BoolVarP(&f.verbosity.quiet, "quiet", "q", false, "print no warnings")
	fl.StringVarP(&f.namespace, "namespace", "n", "", "namespace for namespaced objects that set none; with --cluster, plan only this namespace's objects")
	fl.StringVar(&f.versionsFile, "versions-file", "", "AKS Kubernetes versions to judge the steps by: az aks get-versions -o json output or the shipped format (default: the data shipped with akscheck)")
	fl.StringArrayVar(&f.helmValues, "values", nil, "Helm values file for the charts read, repeatable")
	fl.StringArrayVar(&f.helmSet, "set", nil, "Helm value override key=value, repeatable")
	fl.StringVar(&f.releaseName, "release-name", "", "Helm release name for the charts read")
	fl.StringArrayVar(&f.armParameters, "arm-parameters", nil, "ARM deployment parameters file for the templates read, repeatable")
	fl.StringArrayVar(&f.tfVarFiles, "tf-var-file", nil, "Terraform variables file for the modules read, repeatable")
	fl.StringArrayVar(&f.exclude, "exclude", nil, "leave out files and folders matching this glob while walking directories, repeatable")
	fl.StringArrayVar(&f.include, "include", nil, "read only files matching this glob while walking directories, repeatable")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(planFormatNames(), cobra.ShellCompDirectiveNoFileComp))
	// A plan is for one cluster: the fleet flags are parsed (and refused with a reason) but
	// not offered.
	_ = fl.MarkHidden("all-contexts")
	_ = fl.MarkHidden("subscription")
	return cmd
}

func planFormatNames() []string {
	var out []string
	for _, f := range planout.Formats() {
		out = append(out, f.Name)
	}
	return out
}

type planOutput struct {
	format planout.Format
	file   string
}

func parsePlanOutputs(specs []string) ([]planOutput, error) {
	if len(specs) == 0 {
		table, _ := planout.Lookup("table")
		return []planOutput{{format: table}}, nil
	}
	var outs []planOutput
	stdout := ""
	for _, spec := range specs {
		name, file, hasFile := strings.Cut(spec, "=")
		format, ok := planout.Lookup(name)
		if !ok {
			return nil, usageErr("--output %q: want one of %s, optionally as FORMAT=FILE", spec, strings.Join(planFormatNames(), ", "))
		}
		if hasFile && file == "" {
			return nil, usageErr("--output %q: no file after =", spec)
		}
		if file == "-" {
			file = ""
		}
		if file == "" {
			if stdout != "" {
				return nil, usageErr("--output: %s and %s both go to standard output; give one of them a file (FORMAT=FILE)", stdout, format.Name)
			}
			stdout = format.Name
		}
		outs = append(outs, planOutput{format: format, file: file})
	}
	return outs, nil
}

func (a *app) runUpgradePlan(cmd *cobra.Command, f *upgradePlanFlags, args []string) error {
	if len(args) == 0 && !f.live.any() {
		return usageErr("upgrade-plan needs at least one path (a file, a directory, or - for standard input) or --cluster")
	}
	if err := f.live.validate(); err != nil {
		return err
	}
	if f.live.multi() {
		return usageErr("upgrade-plan plans one cluster: --all-contexts and --subscription are for scan")
	}
	to := ""
	if f.to != "" {
		var err error
		if to, err = upgrade.ParseTarget(f.to); err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
	}
	gate, err := newExitPolicy(f.failOn, f.allowErrors, f.verbosity)
	if err != nil {
		return err
	}
	outs, err := parsePlanOutputs(f.outputs)
	if err != nil {
		return err
	}
	data := aksversion.Shipped()
	if f.versionsFile != "" {
		raw, err := os.ReadFile(f.versionsFile)
		if err != nil {
			return usageErr("--versions-file: %v", err)
		}
		v, err := aksversion.Parse(raw)
		if err != nil {
			return usageErr("--versions-file %s: %v", f.versionsFile, err)
		}
		if v.Live {
			// get-versions output has the minors and patches, the calendar the dates.
			v.Minors = aksversion.Merge(data.Minors, v)
			v.Live = false
			v.AsOf = data.AsOf
			v.Source = "az aks get-versions (" + f.versionsFile + "), with the dates of " + data.Source
		}
		data = v
	}
	resolved := a.resolved
	kube := f.live.kube(f.namespace)
	if kube != nil {
		kube.HelmReleases = true
	}
	req := scan.Request{
		Paths: args,
		Load: load.Options{Helm: helm.Options{ValueFiles: f.helmValues, Set: f.helmSet, ReleaseName: f.releaseName, Namespace: f.namespace},
			ARM: arm.Options{ParameterFiles: f.armParameters}, Terraform: terraform.Options{VarFiles: f.tfVarFiles},
			Exclude: f.exclude, Include: f.include, MaxTotalSize: load.DefaultMaxTotalSize,
			Manifest: manifest.Options{Namespace: f.namespace, MaxFileSize: manifest.DefaultMaxFileSize, Stdin: a.io.In}},
		Kube:    kube,
		Azure:   f.live.azureSource(a.io.Azure),
		Catalog: resolved.Catalog, Checks: resolved.Checks, Settings: resolved.Settings, Policy: resolved.Policy,
		Version: Version(), Now: a.now, KeepSubjects: true,
	}
	res, err := scan.Run(cmd.Context(), req)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	cr := res.Reports[0]
	// Nothing read is a usage error before a plan is tried: exitFor says why.
	if cr.Read == 0 {
		return gate.exitFor(cmd.ErrOrStderr(), cr.Report, cr.Read)
	}
	now := a.now()
	plan, err := upgrade.Build(cr.Subjects, cr.Report, upgrade.Options{To: to, Data: data, Now: now, Name: cr.Name})
	if err != nil {
		var ie *upgrade.InputError
		if errors.As(err, &ie) {
			return &exitError{code: ExitUsage, err: err}
		}
		return &exitError{code: ExitUsage, err: fmt.Errorf("planning the upgrade: %w", err)}
	}
	if err := writePlanOutputs(cmd, outs, plan); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	return gate.exitFor(cmd.ErrOrStderr(), planReport(cr.Report, plan), cr.Read)
}

// planReport is the scan's report with the plan's findings in place of the checks': what
// exitFor judges --fail-on and the input errors by.
func planReport(rep *report.Report, p *upgrade.Plan) *report.Report {
	out := *rep
	out.Findings = nil
	for _, f := range p.Findings() {
		out.Findings = append(out.Findings, report.Finding{Check: f.Rule, Severity: f.Severity, Message: f.Message, Object: f.Object, Location: f.Location})
	}
	return &out
}

func writePlanOutputs(cmd *cobra.Command, outs []planOutput, p *upgrade.Plan) error {
	for _, o := range outs {
		if o.file == "" {
			if err := o.format.Render(cmd.OutOrStdout(), p); err != nil {
				return err
			}
			continue
		}
		var buf bytes.Buffer
		if err := o.format.Render(&buf, p); err != nil {
			return err
		}
		if err := os.WriteFile(o.file, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing the %s plan: %w", o.format.Name, err)
		}
	}
	return nil
}
