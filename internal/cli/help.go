package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagGroup is a titled group of flags in a command's help.
type flagGroup struct {
	title string
	flags []string
}

// scanFlagGroups orders scan's flags in its help by what they are about.
func scanFlagGroups() []flagGroup {
	return []flagGroup{
		{"Inputs", []string{"namespace", "values", "set", "release-name", "arm-parameters", "tf-var-file", "bicep", "target", "scan-reports", "max-file-size", "max-total-size", "exclude", "include", "partial", "allow-remote"}},
		{"Running clusters", []string{"cluster", "kubeconfig", "context", "all-contexts", "azure", "aks-resource-id", "subscription"}},
		{"Outputs", []string{"output", "no-color", "docs-base-url", "quiet", "verbose"}},
		{"Gates and exit codes", []string{"fail-on", "fail-below-score", "allow-errors", "baseline", "write-baseline"}},
		{"Policy and check settings", []string{"strict", "profile", "allowed-registry", "required-label", "startup-probe-delay", "required-tag", "versions-file", "distroless-base", "vuln-threshold", "vuln-unfixed-severity", "report-max-age"}},
	}
}

// groupedUsage writes a command's usage with its flags in groups; a flag no group names is
// listed under "Other flags" (a test keeps that list empty).
func groupedUsage(cmd *cobra.Command) error {
	w := cmd.OutOrStderr()
	fmt.Fprintf(w, "Usage:\n  %s\n", cmd.UseLine())
	if cmd.HasExample() {
		fmt.Fprintf(w, "\nExamples:\n%s\n", cmd.Example)
	}
	grouped := map[string]bool{}
	for _, g := range scanFlagGroups() {
		set := pflag.NewFlagSet(g.title, pflag.ContinueOnError)
		for _, name := range g.flags {
			if f := cmd.LocalFlags().Lookup(name); f != nil {
				set.AddFlag(f)
				grouped[name] = true
			}
		}
		if set.HasFlags() {
			fmt.Fprintf(w, "\n%s:\n%s", g.title, set.FlagUsages())
		}
	}
	other := pflag.NewFlagSet("other", pflag.ContinueOnError)
	cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if !grouped[f.Name] {
			other.AddFlag(f) // --help, and any flag a group forgot
		}
	})
	if other.HasFlags() {
		fmt.Fprintf(w, "\nOther flags:\n%s", other.FlagUsages())
	}
	if cmd.HasAvailableInheritedFlags() {
		fmt.Fprintf(w, "\nGlobal flags:\n%s", cmd.InheritedFlags().FlagUsages())
	}
	return nil
}

// inputKindsHelp lists what scan reads, for its help.
const inputKindsHelp = `Inputs (files and folders, read recursively; - is standard input):
  Kubernetes manifests  .yaml, .yml, .json
  Helm charts           a folder with Chart.yaml, or a packaged .tgz (--values, --set)
  Kustomize             a folder with kustomization.yaml (remote resources and git bases
                        are refused unless --allow-remote)
  AKS configuration     az aks show / az ... JSON, REST JSON, ARM templates, compiled Bicep
                        (bicep build), Terraform .tf/.tfvars and terraform show -json plans
  Bicep                 .bicep files, compiled with the bicep CLI on PATH (or --bicep);
                        findings at their .bicep lines
  Dockerfiles           Dockerfile, Containerfile, and *.dockerfile files that start like one
  Image scan reports    Trivy and Grype JSON (--scan-reports)
  Running clusters      --cluster (Kubernetes API), --azure (Azure Resource Manager)`
