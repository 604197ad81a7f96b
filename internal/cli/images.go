package cli

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/load/dockerfile"
)

// imageFlags are the flags of Dockerfile and image scan report checks.
type imageFlags struct {
	target          string
	distrolessBases []string
	scanReports     []string
	vulnThreshold   string
	unfixedSeverity string
	reportMaxAge    string
}

func (f *imageFlags) register(fl *pflag.FlagSet) {
	d := check.DefaultParams()
	fl.StringVar(&f.target, "target", "", "Dockerfile stage the image is built from, as docker build --target (default: the last stage)")
	fl.StringArrayVar(&f.distrolessBases, "distroless-base", nil,
		"image pattern that counts as a distroless or minimal base, besides the built-in ones, repeatable (e.g. myacr.azurecr.io/base/*)")
	fl.StringArrayVar(&f.scanReports, "scan-reports", nil,
		"Trivy (-f json) or Grype (-o json) image scan report, or a directory of them (its .json files), repeatable")
	fl.StringVar(&f.vulnThreshold, "vuln-threshold", d.VulnThreshold.String(),
		"a vulnerability with a fix available fails from this severity: critical, high, medium, low or info")
	fl.StringVar(&f.unfixedSeverity, "vuln-unfixed-severity", d.VulnUnfixedSeverity.String(),
		"severity of the findings for vulnerabilities at or above --vuln-threshold that have no fix yet")
	fl.StringVar(&f.reportMaxAge, "report-max-age", d.ReportMaxAge.String(),
		"age from which an image scan report is stale, in days (7d) or as a Go duration (36h)")
}

// apply sets the parameters the user gave on the command line over the config's.
func (f *imageFlags) apply(cmd *cobra.Command, params *check.Params) error {
	changed := cmd.Flags().Changed
	if changed("vuln-threshold") {
		s, err := check.ParseSeverity(f.vulnThreshold)
		if err != nil {
			return usageErr("--vuln-threshold: %v", err)
		}
		params.VulnThreshold = s
	}
	if changed("vuln-unfixed-severity") {
		s, err := check.ParseSeverity(f.unfixedSeverity)
		if err != nil {
			return usageErr("--vuln-unfixed-severity: %v", err)
		}
		params.VulnUnfixedSeverity = s
	}
	if changed("report-max-age") {
		d, err := check.ParseAge(f.reportMaxAge)
		if err != nil {
			return usageErr("--report-max-age: %v", err)
		}
		params.ReportMaxAge = check.Age(d)
	}
	params.DistrolessBases = append(params.DistrolessBases, f.distrolessBases...)
	return nil
}

func (f *imageFlags) dockerfile() dockerfile.Options { return dockerfile.Options{Target: f.target} }
