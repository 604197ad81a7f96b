package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/docs"
	"github.com/akscheck/akscheck/internal/subject"
)

func (a *app) checksCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List every check: ID, checklist item, severity, what it looks at",
		Args:  cobra.NoArgs,
		Example: `  akscheck checks
  akscheck checks -o json
  akscheck checks -o markdown > docs/checks.md`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			switch output {
			case "table":
				return a.checksTable(out)
			case "json":
				return writeJSON(out, a.checkList())
			case "markdown":
				return docs.ChecksMarkdown(out, a.catalog, a.checks)
			}
			return usageErr("--output %q: want table, json or markdown", output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table, json or markdown")
	return cmd
}

type checkInfo struct {
	ID          string   `json:"id"`
	Item        string   `json:"item"`
	Title       string   `json:"title"`
	Severity    string   `json:"severity"`
	Kinds       []string `json:"kinds,omitempty"`
	Evidence    []string `json:"evidence"`
	Description string   `json:"description"`
	Remediation string   `json:"remediation"`
	// AdmissionPolicy is true when akscheck admission-policy writes the check as a
	// ValidatingAdmissionPolicy.
	AdmissionPolicy bool `json:"admissionPolicy"`
	// Fix says what the check's mechanical fix changes (akscheck fix); empty when it offers
	// none.
	Fix string `json:"fix,omitempty"`
	// CrossObject is true when the check reads other subjects of the scan besides the one it
	// judges; Requires are the object kinds it reads so (what the webhook's cache and the
	// audit's watch must hold for it).
	CrossObject bool     `json:"crossObject"`
	Requires    []string `json:"requires,omitempty"`
}

func (a *app) checkList() []checkInfo {
	out := make([]checkInfo, 0, len(a.checks))
	for _, c := range a.checks {
		ci := checkInfo{ID: c.ID, Item: c.Item, Title: c.Title, Severity: c.Severity.String(), Kinds: c.Kinds,
			Description: c.Description, Remediation: c.Remediation, AdmissionPolicy: c.Admission != nil, Fix: c.Fix,
			CrossObject: c.CrossObject, Requires: c.Requires}
		for _, e := range c.EvidenceKinds() {
			ci.Evidence = append(ci.Evidence, string(e))
		}
		out = append(out, ci)
	}
	return out
}

func (a *app) checksTable(w io.Writer) error {
	var rows [][]string
	for _, c := range a.checks {
		kinds := subject.Noun(c.SubjectType())
		if len(c.Kinds) > 0 {
			kinds = strings.Join(c.Kinds, ",")
		}
		fix := ""
		if c.Fix != "" {
			fix = "yes"
		}
		rows = append(rows, []string{c.ID, c.Item, c.Severity.String(), fix, kinds, c.Title})
	}
	// On a terminal the title, then the kinds, then the item give way to its width. FIX says
	// which checks akscheck fix mends.
	return writeColumns(w, []string{"ID", "ITEM", "SEVERITY", "FIX", "APPLIES TO", "TITLE"}, rows, terminalWidth(w), 5, 4, 1)
}

func (a *app) itemsCommand() *cobra.Command {
	var output, reportFile string
	cmd := &cobra.Command{
		Use:   "items",
		Short: "List the checklist items, with the checks that cover each, or their status in a report",
		Args:  cobra.NoArgs,
		Example: `  akscheck items
  akscheck scan -o json=report.json k8s/ && akscheck items --report report.json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if reportFile != "" {
				return a.itemsOfReport(cmd, reportFile, output)
			}
			switch output {
			case "table":
				return a.itemsTable(cmd.OutOrStdout())
			case "json":
				return writeJSON(cmd.OutOrStdout(), a.itemList())
			}
			return usageErr("--output %q: want table or json", output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	cmd.Flags().StringVar(&reportFile, "report", "", "a JSON report (akscheck scan -o json=FILE, or - for standard input): show the scorecard and each item's status in it")
	return cmd
}

type itemInfo struct {
	ID string `json:"id"`
	// Section is the section's ID, as in the report; SectionTitle names it.
	Section      string   `json:"section"`
	SectionTitle string   `json:"sectionTitle"`
	Title        string   `json:"title"`
	Evidence     []string `json:"evidence"`
	Checks       []string `json:"checks"`
}

func (a *app) itemList() []itemInfo {
	byItem := map[string][]string{}
	for _, c := range a.checks {
		byItem[c.Item] = append(byItem[c.Item], c.ID)
	}
	out := make([]itemInfo, 0, len(a.catalog.Items))
	for _, it := range a.catalog.Items {
		ii := itemInfo{ID: it.ID, Section: it.Section(), SectionTitle: a.catalog.SectionTitle(it.Section()), Title: it.Title, Checks: byItem[it.ID]}
		if ii.Checks == nil {
			ii.Checks = []string{}
		}
		for _, e := range it.Evidence {
			ii.Evidence = append(ii.Evidence, string(e))
		}
		out = append(out, ii)
	}
	return out
}

func (a *app) itemsTable(w io.Writer) error {
	var rows [][]string
	covered := 0
	for _, it := range a.itemList() {
		checks := strings.Join(it.Checks, ",")
		if checks == "" {
			checks = "-"
		} else {
			covered++
		}
		rows = append(rows, []string{it.ID, it.Title, strings.Join(it.Evidence, ","), checks})
	}
	// On a terminal the checks, then the title, give way to its width.
	if err := writeColumns(w, []string{"ID", "TITLE", "EVIDENCE", "CHECKS"}, rows, terminalWidth(w), 3, 1); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d items, %d covered by %d checks; %d are manual only.\n"+
		"What a scan proved, item by item:\n  akscheck scan -o json=report.json ... && akscheck items --report report.json\n",
		len(a.catalog.Items), covered, len(a.checks), manualOnly(a.catalog))
	return err
}

func manualOnly(cat *catalog.Catalog) int {
	n := 0
	for _, it := range cat.Items {
		if len(it.Evidence) == 1 && it.Evidence[0] == catalog.Manual {
			n++
		}
	}
	return n
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
