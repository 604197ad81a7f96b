package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/manifest"
	"github.com/akscheck/akscheck/internal/render/jsonout"
	"github.com/akscheck/akscheck/internal/render/table"
	"github.com/akscheck/akscheck/internal/render/yamlout"
	"github.com/akscheck/akscheck/internal/report"
)

type scanFlags struct {
	output            string
	failOn            string
	namespace         string
	noColor           bool
	allowedRegistries []string
	requiredLabels    []string
	startupDelay      int32
	maxFileSize       int64
}

func (a *app) scanCommand() *cobra.Command {
	f := &scanFlags{}
	defaults := check.DefaultParams()
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Scan Kubernetes manifests against the checklist",
		Long: `Scan Kubernetes manifests (files, directories read recursively for .yaml, .yml and .json,
or - for standard input) and report every checklist item.

Every report lists all items of the checklist with a status; items whose inputs were not given
are "not-evaluated", never "pass".`,
		Example: `  akscheck scan examples/
  akscheck scan -o json k8s/ > report.json
  helm template shop ./chart | akscheck scan -
  akscheck scan --namespace shop --fail-on medium deploy.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runScan(cmd, f, args) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "table", "output format: table, json or yaml")
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a finding is at or above this severity: critical, high, medium, low or info")
	fl.StringVarP(&f.namespace, "namespace", "n", "", "namespace for namespaced objects that set none")
	fl.BoolVar(&f.noColor, "no-color", false, "never colour the table (colours are only used on terminals, and never when NO_COLOR is set)")
	fl.StringArrayVar(&f.allowedRegistries, "allowed-registry", nil,
		fmt.Sprintf("allowed image registry host pattern, repeatable (default %s)", strings.Join(defaults.AllowedRegistries, ", ")))
	fl.StringArrayVar(&f.requiredLabels, "required-label", nil,
		fmt.Sprintf("label key every workload must carry, repeatable (default %s)", strings.Join(defaults.RequiredLabels, ", ")))
	fl.Int32Var(&f.startupDelay, "startup-probe-delay", defaults.StartupProbeDelaySeconds, "liveness initialDelaySeconds from which a startup probe is expected")
	fl.Int64Var(&f.maxFileSize, "max-file-size", manifest.DefaultMaxFileSize, "largest input file read, in bytes")
	return cmd
}

func (a *app) runScan(cmd *cobra.Command, f *scanFlags, args []string) error {
	if len(args) == 0 {
		return usageErr("scan needs at least one path (a file, a directory, or - for standard input)")
	}
	failOn, err := check.ParseSeverity(f.failOn)
	if err != nil {
		return usageErr("--fail-on: %v", err)
	}
	switch f.output {
	case "table", "json", "yaml":
	default:
		return usageErr("--output %q: want table, json or yaml", f.output)
	}
	params := check.DefaultParams()
	if len(f.allowedRegistries) > 0 {
		params.AllowedRegistries = f.allowedRegistries
	}
	if len(f.requiredLabels) > 0 {
		params.RequiredLabels = f.requiredLabels
	}
	params.StartupProbeDelaySeconds = f.startupDelay

	ctx := cmd.Context()
	scan := load.Load(ctx, args, load.Options{Manifest: manifest.Options{
		Namespace:   f.namespace,
		MaxFileSize: f.maxFileSize,
		Stdin:       a.io.In,
	}})
	rep := engine.Run(ctx, a.catalog, a.checks, scan, engine.Options{Params: params, Version: Version(), Now: a.now})

	out := cmd.OutOrStdout()
	switch f.output {
	case "json":
		err = jsonout.Render(out, rep)
	case "yaml":
		err = yamlout.Render(out, rep)
	default:
		err = table.Render(out, rep, a.catalog, table.Options{Color: !f.noColor && isTerminal(out)})
	}
	if err != nil {
		return &exitError{code: ExitUsage, err: err}
	}
	return exitFor(rep, len(scan.Objects), failOn)
}

// exitFor decides the exit code of a scan.
func exitFor(rep *report.Report, objects int, failOn check.Severity) error {
	if objects == 0 && len(rep.Errors) > 0 {
		return &exitError{code: ExitUsage, err: fmt.Errorf("nothing could be read (%d error(s))", len(rep.Errors))}
	}
	if objects == 0 && len(rep.Inputs) == 0 {
		return &exitError{code: ExitUsage, err: fmt.Errorf("no manifest files found")}
	}
	if n := rep.CountAtOrAbove(failOn); n > 0 {
		return &exitError{code: ExitFindings}
	}
	return nil
}
