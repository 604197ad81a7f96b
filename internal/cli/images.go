package cli

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/akscheck/akscheck/internal/check"
	dockerfilechecks "github.com/akscheck/akscheck/internal/checks/dockerfile"
	"github.com/akscheck/akscheck/internal/checks/vuln"
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
	fl.StringVar(&f.target, "target", "", "Dockerfile stage the image is built from, as docker build --target (default: the last stage)")
	fl.StringArrayVar(&f.distrolessBases, "distroless-base", nil,
		"image pattern that counts as a distroless or minimal base, besides the built-in ones, repeatable (e.g. myacr.azurecr.io/base/*)")
	fl.StringArrayVar(&f.scanReports, "scan-reports", nil,
		"Trivy (-f json) or Grype (-o json) image scan report, or a directory of them (its .json files), repeatable")
	fl.StringVar(&f.vulnThreshold, "vuln-threshold", vuln.VulnThresholdSetting.Default().String(),
		"a vulnerability with a fix available fails from this severity: critical, high, medium, low or info")
	fl.StringVar(&f.unfixedSeverity, "vuln-unfixed-severity", vuln.VulnUnfixedSeveritySetting.Default().String(),
		"severity of the findings for vulnerabilities at or above --vuln-threshold that have no fix yet")
	fl.StringVar(&f.reportMaxAge, "report-max-age", vuln.ReportMaxAgeSetting.Default().String(),
		"age from which an image scan report is stale, in days (7d) or as a Go duration (36h)")
}

// apply sets the parameters the user gave on the command line over the config's.
func (f *imageFlags) apply(cmd *cobra.Command, settings check.Settings) error {
	changed := cmd.Flags().Changed
	if changed("vuln-threshold") {
		s, err := check.ParseSeverity(f.vulnThreshold)
		if err != nil {
			return usageErr("--vuln-threshold: %v", err)
		}
		vuln.VulnThresholdSetting.Set(settings, s)
	}
	if changed("vuln-unfixed-severity") {
		s, err := check.ParseSeverity(f.unfixedSeverity)
		if err != nil {
			return usageErr("--vuln-unfixed-severity: %v", err)
		}
		vuln.VulnUnfixedSeveritySetting.Set(settings, s)
	}
	if changed("report-max-age") {
		d, err := check.ParseAge(f.reportMaxAge)
		if err != nil {
			return usageErr("--report-max-age: %v", err)
		}
		if d <= 0 {
			return usageErr("--report-max-age %s: want a positive age", f.reportMaxAge)
		}
		vuln.ReportMaxAgeSetting.Set(settings, check.Age(d))
	}
	if len(f.distrolessBases) > 0 {
		// The flag adds to the config's patterns.
		bases, _ := dockerfilechecks.DistrolessBasesSetting.Lookup(settings)
		dockerfilechecks.DistrolessBasesSetting.Set(settings, append(append([]string{}, bases...), f.distrolessBases...))
	}
	return nil
}

func (f *imageFlags) dockerfile() dockerfile.Options { return dockerfile.Options{Target: f.target} }
