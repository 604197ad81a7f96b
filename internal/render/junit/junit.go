// Package junit renders the report as JUnit XML for test-result views (Azure Pipelines'
// PublishTestResults, GitLab, Jenkins): one test suite per checklist section, one test case per
// (check, object) that has findings, and one per check or item with none.
package junit

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/docs"
	"github.com/akscheck/akscheck/internal/render/fixtext"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/render/scorecard"
	"github.com/akscheck/akscheck/internal/report"
)

// Options tune the XML.
type Options struct {
	// DocsBaseURL is where the check pages are (docs.DefaultBaseURL when empty).
	DocsBaseURL string
}

// TestSuites is the document root.
type TestSuites struct {
	XMLName  xml.Name    `xml:"testsuites"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Suites   []TestSuite `xml:"testsuite"`
}

// TestSuite is one checklist section (or the inputs that could not be read).
type TestSuite struct {
	Name       string     `xml:"name,attr"`
	Tests      int        `xml:"tests,attr"`
	Failures   int        `xml:"failures,attr"`
	Errors     int        `xml:"errors,attr"`
	Skipped    int        `xml:"skipped,attr"`
	Time       string     `xml:"time,attr"`
	Timestamp  string     `xml:"timestamp,attr,omitempty"`
	Properties []Property `xml:"properties>property,omitempty"`
	Cases      []TestCase `xml:"testcase"`
}

// Property is a name/value pair of a suite.
type Property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// TestCase is one check on one object, one check without findings, or one item no check
// covers. Scanned values in it have their control, bidi and invisible characters escaped
// (sanitize): XML 1.0 cannot carry most controls (encoding/xml would write U+FFFD, losing that
// something was there), and CI viewers show the rest as they are.
type TestCase struct {
	Name      string   `xml:"name,attr"`
	ClassName string   `xml:"classname,attr"`
	Time      string   `xml:"time,attr"`
	Failure   *Outcome `xml:"failure,omitempty"`
	Error     *Outcome `xml:"error,omitempty"`
	Skipped   *Outcome `xml:"skipped,omitempty"`
	SystemOut string   `xml:"system-out,omitempty"`
}

// Outcome is a failure, error or skip with its message and details.
type Outcome struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// Render writes the report as JUnit XML.
func Render(w io.Writer, rep *report.Report, cat *catalog.Catalog, checks []*check.Check, opts Options) error {
	doc := Build(rep, cat, checks, opts)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("writing JUnit XML: %w", err)
	}
	return nil
}

// Build makes the JUnit document of a report.
func Build(rep *report.Report, cat *catalog.Catalog, checks []*check.Check, opts Options) *TestSuites {
	meta := map[string]*check.Check{}
	for _, c := range checks {
		meta[c.ID] = c
	}
	byCheck := map[string][]report.Finding{}
	for _, f := range rep.Findings {
		byCheck[f.Check] = append(byCheck[f.Check], f)
	}
	card := scorecard.Build(rep, cat)
	doc := &TestSuites{Name: "akscheck: The AKS Checklist", Time: "0"}
	for _, sec := range card.Sections {
		suite := TestSuite{Name: sec.Title, Time: "0", Timestamp: rep.GeneratedAt}
		suite.Properties = []Property{{Name: "section", Value: sec.ID}, {Name: "score", Value: scorecard.ScoreText(sec.Score)}}
		for _, it := range sec.Items {
			class := "akscheck." + it.ID
			if len(it.Checks) == 0 {
				tc := TestCase{Name: it.ID + ": " + it.Title, ClassName: class, Time: "0"}
				tc.Skipped = &Outcome{Message: scorecard.Label(it.Status) + ": " + it.Reason}
				suite.Cases = append(suite.Cases, tc)
				continue
			}
			for _, id := range it.Checks {
				suite.Cases = append(suite.Cases, casesOf(id, it, meta[id], byCheck[id], opts)...)
			}
		}
		for _, tc := range suite.Cases {
			suite.Tests++
			switch {
			case tc.Failure != nil:
				suite.Failures++
			case tc.Skipped != nil:
				suite.Skipped++
			}
		}
		doc.Suites = append(doc.Suites, suite)
	}
	if len(rep.Errors) > 0 {
		suite := TestSuite{Name: "Inputs", Time: "0", Timestamp: rep.GeneratedAt}
		for _, e := range rep.Errors {
			src := sanitize.Text(report.FileLine(e.Source, e.Line))
			e.Message = sanitize.Text(e.Message)
			suite.Cases = append(suite.Cases, TestCase{Name: "read " + src, ClassName: "akscheck.inputs", Time: "0",
				Error: &Outcome{Message: e.Message, Type: "input-error", Text: src + ": " + e.Message}})
			suite.Tests++
			suite.Errors++
		}
		doc.Suites = append(doc.Suites, suite)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	return doc
}

// casesOf makes the test cases of one check of an item: one failing case per object with
// findings, or a single case that passes or is skipped as the item's status says.
func casesOf(id string, it report.Item, c *check.Check, findings []report.Finding, opts Options) []TestCase {
	title := id
	if c != nil {
		title = id + ": " + c.Title
	}
	class := "akscheck." + it.ID + "." + id
	if len(findings) == 0 {
		tc := TestCase{Name: title, ClassName: class, Time: "0"}
		switch it.Status {
		case report.StatusPass, report.StatusFail, report.StatusAttested:
			// The check found nothing (the item fails, if it does, because of another check).
		default:
			tc.Skipped = &Outcome{Message: scorecard.Label(it.Status) + ": " + it.Reason}
		}
		return []TestCase{tc}
	}
	type key struct{ ref, container string }
	groups := map[key][]report.Finding{}
	var order []key
	for _, f := range findings {
		k := key{sanitize.Text(objectRef(f.Object)), sanitize.Text(f.Container)}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], f)
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].ref != order[j].ref {
			return order[i].ref < order[j].ref
		}
		return order[i].container < order[j].container
	})
	out := make([]TestCase, 0, len(order))
	for _, k := range order {
		fs := groups[k]
		name := id + " " + k.ref
		if k.container != "" {
			name += " [" + k.container + "]"
		}
		worst := fs[0].Severity
		var msgs []string
		var text strings.Builder
		for _, f := range fs {
			if f.Severity > worst {
				worst = f.Severity
			}
			msg := sanitize.Text(f.Message)
			msgs = append(msgs, msg)
			fmt.Fprintf(&text, "%s: %s\n", f.Severity, msg)
			if loc := location(f); loc != "" {
				fmt.Fprintf(&text, "  at %s\n", sanitize.Text(loc))
			}
			// The fix in the input's form, as the table's -o wide shows it.
			if v := fixtext.Of(f.Fix); !v.Empty() {
				fmt.Fprintf(&text, "  fix (%s):\n", sanitize.Text(v.Input))
				for _, l := range v.Lines() {
					fmt.Fprintf(&text, "    %s\n", sanitize.Text(l))
				}
			}
		}
		if rem := fs[0].Remediation; rem != "" {
			fmt.Fprintf(&text, "Remediation: %s\n", sanitize.Lines(rem))
		}
		fmt.Fprintf(&text, "Docs: %s\n", docs.PageURL(opts.DocsBaseURL, id))
		out = append(out, TestCase{Name: name, ClassName: class, Time: "0",
			Failure: &Outcome{Message: strings.Join(msgs, "; "), Type: worst.String(), Text: text.String()}})
	}
	return out
}

func objectRef(o report.Object) string {
	ref := o.Kind + "/"
	if o.Namespace != "" {
		ref += o.Namespace + "/"
	}
	return ref + o.Name
}

func location(f report.Finding) string {
	loc := f.Location.File
	if loc != "" && f.Location.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, f.Location.Line)
	}
	if f.Location.Path != "" {
		if loc != "" {
			loc += " "
		}
		loc += f.Location.Path
	}
	return loc
}
