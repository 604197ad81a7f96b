package cli

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/akscheck/akscheck/internal/baseline"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/workload"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/arm"
	"github.com/akscheck/akscheck/internal/load/helm"
	"github.com/akscheck/akscheck/internal/load/live"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/load/terraform"
	"github.com/akscheck/akscheck/internal/render"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/scan"
)

type scanFlags struct {
	report            reportFlags
	live              liveFlags
	failOn            string
	allowErrors       bool
	verbosity         verbosity
	exclude, include  []string
	namespace         string
	noColor           bool
	allowedRegistries []string
	requiredLabels    []string
	startupDelay      int32
	maxFileSize       byteSize
	allowRemote       bool
	maxTotalSize      byteSize
	strict            bool
	partial           bool
	helmValues        []string
	helmSet           []string
	releaseName       string
	versionsFile      string
	armParameters     []string
	tfVarFiles        []string
	bicep             string
	requiredTags      []string
	profile           string
	images            imageFlags
}

func (a *app) scanCommand() *cobra.Command {
	f := &scanFlags{}
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Scan Kubernetes manifests against the checklist",
		Long: `Scan an AKS estate (manifests, charts, cluster configuration, Dockerfiles, image scan
reports, running clusters) and report every checklist item.

Every report lists all items of the checklist with a status; items whose inputs were not given
are "not-evaluated", never "pass".

` + inputKindsHelp + `

Report formats (-o FORMAT, or -o FORMAT=FILE):
` + formatsHelp() + `

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error or nothing read,
3 some inputs could not be read or a check could not run (see akscheck --help).`,
		Example: `  akscheck scan examples/
  akscheck scan -o json k8s/ > report.json
  helm template shop ./chart | akscheck scan -
  akscheck scan --namespace shop --fail-on medium deploy.yaml
  akscheck scan --cluster --context prod -n shop
  akscheck scan --cluster --azure
  akscheck scan --azure --subscription 00000000-0000-0000-0000-000000000000 -o json`,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runScan(cmd, f, args) },
	}
	fl := cmd.Flags()
	f.report.register(fl)
	f.live.register(fl)
	f.images.register(fl)
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a finding is at or above this severity: critical, high, medium, low or info; none only reports")
	fl.StringArrayVar(&f.exclude, "exclude", nil, "leave out files and folders matching this glob while walking directories, repeatable (as .gitignore: *.md, vendor, deploy/dev/**; a directory's "+load.IgnoreFile+" adds its own)")
	fl.StringArrayVar(&f.include, "include", nil, "read only files matching this glob while walking directories, repeatable (e.g. '*.yaml')")
	fl.BoolVarP(&f.verbosity.quiet, "quiet", "q", false, "print no warnings (the reason for a non-zero exit is still printed)")
	fl.CountVarP(&f.verbosity.verbose, "verbose", "v", "progress on standard error: what was read and checked, how fast; for several clusters a bar on a terminal (-vv: a line per cluster)")
	fl.BoolVar(&f.allowErrors, "allow-errors", false, "inputs that could not be read are a warning on stderr, not exit code 3 (the report lists them in errors either way)")
	fl.StringVarP(&f.namespace, "namespace", "n", "", "namespace for namespaced objects that set none (without it they are judged in \"the namespace these objects are applied to\"); with --cluster, scan only this namespace")
	fl.BoolVar(&f.noColor, "no-color", false, "never colour the table (colours are only used on terminals, and never when NO_COLOR is set)")
	fl.StringArrayVar(&f.allowedRegistries, "allowed-registry", nil,
		fmt.Sprintf("allowed image registry host pattern, repeatable (default %s)", strings.Join(workload.AllowedRegistriesSetting.Default(), ", ")))
	fl.StringArrayVar(&f.requiredLabels, "required-label", nil,
		fmt.Sprintf("label key every workload must carry, repeatable (default %s)", strings.Join(workload.RequiredLabelsSetting.Default(), ", ")))
	fl.Int32Var(&f.startupDelay, "startup-probe-delay", workload.StartupProbeDelaySetting.Default(), "liveness initialDelaySeconds from which a startup probe is expected")
	f.maxFileSize, f.maxTotalSize = manifest.DefaultMaxFileSize, load.DefaultMaxTotalSize
	fl.Var(&f.maxFileSize, "max-file-size", "largest input file read: bytes, or a size with a unit (64Mi, 1Gi, 100MB)")
	fl.Var(&f.maxTotalSize, "max-total-size", "most bytes read from all the input files together (bytes, or a size with a unit); the file that passes it is an error and nothing more is read")
	fl.BoolVar(&f.allowRemote, "allow-remote", false, "let kustomizations fetch the http(s) resources and clone the git bases they name (by default such a kustomization is refused: scanning sends no request)")
	fl.BoolVar(&f.partial, "partial", false, "the paths are part of a larger estate (the changed files of a commit): checks that read other objects (network policies, PDBs, quotas) are not evaluated rather than judged on what is not there")
	fl.BoolVar(&f.strict, "strict", false, "ignore exemptions made by object annotations (akscheck.io/exempt)")
	fl.StringArrayVar(&f.helmValues, "values", nil, "Helm values file for the charts scanned, repeatable (as helm template --values)")
	fl.StringArrayVar(&f.helmSet, "set", nil, "Helm value override key=value, repeatable (as helm template --set)")
	fl.StringVar(&f.releaseName, "release-name", "", "Helm release name for the charts scanned (default release-name)")
	fl.StringVar(&f.versionsFile, "versions-file", "", "AKS Kubernetes versions to judge clusters by: az aks get-versions -o json output (default: the data shipped with akscheck)")
	fl.StringArrayVar(&f.armParameters, "arm-parameters", nil, "ARM deployment parameters file for the templates scanned, repeatable")
	fl.StringArrayVar(&f.tfVarFiles, "tf-var-file", nil, "Terraform variables file for the modules scanned, repeatable (after each module's own .tfvars)")
	fl.StringVar(&f.bicep, "bicep", os.Getenv("AKSCHECK_BICEP"), "the Bicep compiler that compiles the .bicep files scanned: the bicep CLI, or az to run az bicep build (default $AKSCHECK_BICEP, else bicep on PATH; without one each .bicep file is an error entry)")
	fl.StringArrayVar(&f.requiredTags, "required-tag", nil, "Azure tag key every cluster, node pool and registry must carry, repeatable (default: at least one tag)")
	fl.StringVar(&f.profile, "profile", "", "stricter expectations: regulated (FIPS, host encryption, customer-managed keys, KMS, Defender)")
	cmd.SetUsageFunc(groupedUsage)
	// The completion table is the renderer registry: a new format completes by itself.
	_ = cmd.RegisterFlagCompletionFunc("output", completeOutputs) // fails only for an unknown flag
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions(
		[]string{"critical", "high", "medium", "low", "info", "none\tonly report: findings never fail the run"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("context", func(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		names, err := live.Contexts(f.live.kubeconfig)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("profile", cobra.FixedCompletions(
		[]string{"regulated\tFIPS, host encryption, customer-managed keys, KMS, Defender"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func (a *app) runScan(cmd *cobra.Command, f *scanFlags, args []string) error {
	if len(args) == 0 && !f.live.any() && len(f.images.scanReports) == 0 {
		return usageErr("scan needs at least one path (a file, a directory, or - for standard input), --cluster or --scan-reports")
	}
	if err := f.live.validate(); err != nil {
		return err
	}
	gate, err := newExitPolicy(f.failOn, f.allowErrors, f.verbosity)
	if err != nil {
		return err
	}
	outs, err := parseOutputs(f.report.outputs)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	if err := f.report.validate(); err != nil {
		return err
	}
	resolved := a.resolved
	// Flags win over the config's checks.params.
	settings := resolved.Settings.Clone()
	if len(f.allowedRegistries) > 0 {
		workload.AllowedRegistriesSetting.Set(settings, f.allowedRegistries)
	}
	if len(f.requiredLabels) > 0 {
		workload.RequiredLabelsSetting.Set(settings, f.requiredLabels)
	}
	if cmd.Flags().Changed("startup-probe-delay") {
		if f.startupDelay < 0 {
			return usageErr("--startup-probe-delay %d: want 0 or more seconds", f.startupDelay)
		}
		workload.StartupProbeDelaySetting.Set(settings, f.startupDelay)
	}
	if f.strict {
		resolved.Policy.Strict = true
	}
	if err := applyAzureFlags(f, settings); err != nil {
		return err
	}
	if err := f.images.apply(cmd, settings); err != nil {
		return err
	}

	req := scan.Request{
		Paths: args,
		Load: load.Options{Helm: helm.Options{ValueFiles: f.helmValues, Set: f.helmSet,
			ReleaseName: f.releaseName, Namespace: f.namespace},
			ARM: arm.Options{ParameterFiles: f.armParameters}, Terraform: terraform.Options{VarFiles: f.tfVarFiles},
			Bicep:      load.BicepOptions{Compiler: f.bicep},
			Dockerfile: f.images.dockerfile(), ScanReports: f.images.scanReports,
			Exclude: f.exclude, Include: f.include, AllowRemote: f.allowRemote,
			MaxTotalSize: int64(f.maxTotalSize),
			Manifest: manifest.Options{
				Namespace:   f.namespace,
				MaxFileSize: int64(f.maxFileSize),
				Stdin:       a.io.In,
				Pack:        true,
			}},
		Partial: f.partial,
		Kube:    f.live.kube(f.namespace),
		Azure:   f.live.azureSource(a.io.Azure),
		Catalog: resolved.Catalog, Checks: resolved.Checks, Settings: settings, Policy: resolved.Policy,
		Version: Version(), Now: a.now,
		Progress: f.verbosity.progress(cmd.ErrOrStderr()),
	}
	if f.live.multi() {
		if f.report.baseline != "" || f.report.writeBaseline != "" {
			return usageErr("--baseline and --write-baseline take one report; they do not work with several clusters")
		}
		for _, o := range outs {
			if o.file == "" && o.format.Stream == nil {
				return usageErr("--output %s: with several clusters write it to files (%s=FILE gives one file per cluster)", o.format.Name, o.format.Name)
			}
		}
	}
	if f.report.baseline != "" {
		b, err := baseline.ReadFile(f.report.baseline)
		if err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		req.Baseline, req.BaselineSource = b, f.report.baseline
	}

	res, err := scan.Run(cmd.Context(), req)
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	if res.Fleet {
		return a.writeFleet(cmd, f, outs, gate, res)
	}
	cr := res.Reports[0]
	if f.report.writeBaseline != "" {
		if err := baseline.WriteFile(f.report.writeBaseline, baseline.New(cr.Report, resolved.Catalog)); err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
	}
	rc := render.Context{Report: cr.Report, Catalog: resolved.Catalog, Checks: resolved.Checks, DocsBaseURL: f.report.docsBaseURL}
	if err := writeOutputs(cmd.OutOrStdout(), outs, rc, f.noColor); err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	return f.report.gate(cmd, cr.Report, gate.exitFor(cmd.ErrOrStderr(), cr.Report, cr.Read))
}

// exitPolicy decides the exit code of a scan from its report: --fail-on and --allow-errors.
type exitPolicy struct {
	// failOn is the least severity that fails the run; reportOnly (--fail-on none) never
	// fails it on findings.
	failOn      check.Severity
	reportOnly  bool
	allowErrors bool
	verbosity   verbosity
}

func newExitPolicy(failOn string, allowErrors bool, v verbosity) (exitPolicy, error) {
	p := exitPolicy{allowErrors: allowErrors, verbosity: v}
	if strings.EqualFold(strings.TrimSpace(failOn), "none") {
		p.reportOnly = true
		return p, nil
	}
	sev, err := check.ParseSeverity(failOn)
	if err != nil {
		return p, usageErr("--fail-on: %v (or none)", err)
	}
	p.failOn = sev
	return p, nil
}

// exitFor decides the exit code of a scan that read `read` subjects: 2 when nothing could be
// read or there was nothing to read, 3 when some inputs could not be read (it wins over
// findings, since a finding may hide in what was not read), 1 for findings at or above
// --fail-on, else 0. Every non-zero exit says why in one line; --allow-errors turns 3 into a
// warning.
func (p exitPolicy) exitFor(stderr io.Writer, rep *report.Report, read int) error {
	switch {
	case read == 0 && len(rep.Errors) > 0:
		return &exitError{code: ExitUsage, err: fmt.Errorf("nothing could be read: %d input error(s), the first: %s", len(rep.Errors), errorLine(rep.Errors[0]))}
	case read == 0 && len(rep.Inputs) == 0:
		return &exitError{code: ExitUsage, err: fmt.Errorf("no input found: no manifest, chart, kustomization, Azure or Terraform file, Dockerfile or scan report in the paths given")}
	case read == 0:
		return &exitError{code: ExitUsage, err: fmt.Errorf("nothing to check: the inputs (%s) hold no Kubernetes object, Azure resource, Dockerfile or scan report", inputNames(rep.Inputs))}
	case len(rep.Errors) > 0 && !p.allowErrors:
		return &exitError{code: ExitPartial, err: fmt.Errorf("%d error(s): an input that could not be read or a check that could not run; the report covers the rest (the first: %s); --allow-errors makes this a warning", len(rep.Errors), errorLine(rep.Errors[0]))}
	case len(rep.Errors) > 0:
		p.verbosity.warn(stderr, "%d error(s), allowed by --allow-errors (the first: %s)", len(rep.Errors), errorLine(rep.Errors[0]))
	}
	if p.reportOnly {
		return nil
	}
	if n := rep.CountAtOrAbove(p.failOn); n > 0 {
		return &exitError{code: ExitFindings, err: fmt.Errorf("%d finding(s) at or above %s (--fail-on %s)", n, p.failOn, p.failOn)}
	}
	return nil
}

func errorLine(e report.Error) string {
	src := e.Source
	if e.Line > 0 {
		src = fmt.Sprintf("%s:%d", e.Source, e.Line)
	}
	return oneLine(src + ": " + e.Message)
}

func inputNames(in []report.Input) string {
	names := make([]string, 0, min(len(in), 3))
	for i, x := range in {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(in)-3))
			break
		}
		names = append(names, x.Source)
	}
	return strings.Join(names, ", ")
}
