// Command aksversions regenerates akscheck's AKS version data from the release calendar of
// the AKS docs and, optionally, az aks get-versions output. See package aksversion.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/akscheck/akscheck/internal/aksversion"
)

func main() {
	calendar := flag.String("calendar", "", "markdown file holding the AKS release calendar table (required)")
	versions := flag.String("versions", "", "az aks get-versions -o json output (adds patch versions)")
	asOf := flag.String("as-of", time.Now().UTC().Format(time.DateOnly), "date the data was taken (YYYY-MM-DD)")
	source := flag.String("source", "Microsoft Learn, Supported Kubernetes versions in AKS: release calendar and LTS tables", "where the data comes from")
	flag.Parse()
	if err := run(os.Stdout, *calendar, *versions, *asOf, *source); err != nil {
		fmt.Fprintln(os.Stderr, "aksversions:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, calendar, versions, asOf, source string) error {
	if calendar == "" {
		return fmt.Errorf("-calendar is required")
	}
	if _, err := time.Parse(time.DateOnly, asOf); err != nil {
		return fmt.Errorf("-as-of: %w", err)
	}
	md, err := os.ReadFile(calendar)
	if err != nil {
		return err
	}
	cal, err := aksversion.ParseCalendar(md)
	if err != nil {
		return fmt.Errorf("%s: %w", calendar, err)
	}
	var live *aksversion.Data
	if versions != "" {
		data, err := os.ReadFile(versions)
		if err != nil {
			return err
		}
		if live, err = aksversion.FromGetVersions(data); err != nil {
			return fmt.Errorf("%s: %w", versions, err)
		}
		source += "; az aks get-versions"
	}
	out := aksversion.Data{AsOf: asOf, Source: source, Minors: aksversion.Merge(cal, live)}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
