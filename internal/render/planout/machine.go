package planout

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/upgrade"
)

// CSV writes one finding per row.
func CSV(w io.Writer, p *upgrade.Plan) error {
	cw := csv.NewWriter(w)
	rows := [][]string{{"section", "rule", "kind", "severity", "step", "message", "apiVersion", "objectKind", "namespace", "name", "file", "line", "via", "check"}}
	for _, s := range p.Sections {
		for _, f := range s.Findings {
			line := ""
			if f.Location.Line > 0 {
				line = strconv.Itoa(f.Location.Line)
			}
			rows = append(rows, []string{s.ID, f.Rule, kind(f), f.Severity.String(), f.Step, sanitize.Text(f.Message),
				f.Object.APIVersion, f.Object.Kind, sanitize.Text(f.Object.Namespace), sanitize.Text(f.Object.Name),
				sanitize.Text(f.Location.File), line, f.Via, f.Check})
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("writing the CSV plan: %w", err)
	}
	return nil
}

// SARIF 2.1.0: one rule per plan rule, one result per finding; the verdict in the run's
// properties.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool      `json:"tool"`
	Results    []sarifResult  `json:"results"`
	Properties map[string]any `json:"properties"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	ShortDescription     sarifText      `json:"shortDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration map[string]any `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations,omitempty"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
	Region *struct {
		StartLine int `json:"startLine"`
	} `json:"region,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

func level(f upgrade.Finding) string {
	switch {
	case f.Blocking:
		return "error"
	case f.Severity > check.Info:
		return "warning"
	}
	return "note"
}

// SARIF writes the plan as SARIF 2.1.0, for code scanning.
func SARIF(w io.Writer, p *upgrade.Plan) error {
	d := sarifDriver{Name: "akscheck", Version: p.Tool.Version, InformationURI: "https://github.com/akscheck/akscheck"}
	index := map[string]int{}
	for i, r := range upgrade.Rules {
		index[r.ID] = i
		lvl := "warning"
		if r.Blocking {
			lvl = "error"
		} else if r.Severity == check.Info {
			lvl = "note"
		}
		d.Rules = append(d.Rules, sarifRule{ID: r.ID, ShortDescription: sarifText{r.Title}, Help: sarifText{r.Remediation + " Source: " + r.Source},
			DefaultConfiguration: map[string]any{"level": lvl},
			Properties:           map[string]any{"section": r.Section, "severity": r.Severity.String(), "blocking": r.Blocking}})
	}
	run := sarifRun{Tool: sarifTool{Driver: d}, Results: []sarifResult{},
		Properties: map[string]any{"verdict": p.Verdict, "target": p.Target, "targetFrom": p.TargetFrom, "path": p.Path}}
	for _, f := range p.Findings() {
		r := sarifResult{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: level(f), Message: sarifText{f.Message},
			Properties: map[string]any{"severity": f.Severity.String(), "blocking": f.Blocking}}
		if f.Step != "" {
			r.Properties["step"] = f.Step
		}
		var loc sarifLocation
		if f.Location.File != "" {
			ph := &sarifPhysical{}
			ph.ArtifactLocation.URI = f.Location.File
			if f.Location.Line > 0 {
				ph.Region = &struct {
					StartLine int `json:"startLine"`
				}{f.Location.Line}
			}
			loc.PhysicalLocation = ph
		}
		if f.Object.Kind != "" {
			name := f.Object.Kind + "/" + f.Object.Name
			if f.Object.Namespace != "" {
				name = f.Object.Namespace + "/" + name
			}
			loc.LogicalLocations = []sarifLogical{{FullyQualifiedName: name, Kind: "object"}}
		}
		if loc.PhysicalLocation != nil || loc.LogicalLocations != nil {
			r.Locations = []sarifLocation{loc}
		}
		run.Results = append(run.Results, r)
	}
	doc, err := json.MarshalIndent(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}, "", "  ")
	if err != nil {
		return fmt.Errorf("writing the SARIF plan: %w", err)
	}
	_, err = w.Write(append(sanitize.JSON(doc), '\n'))
	return err
}

// JUnit: a suite per section of the checklist, a case per finding (blockers and warnings
// fail), and the verdict as a case of its own.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// JUnit writes the plan as JUnit XML, for CI test reports.
func JUnit(w io.Writer, p *upgrade.Plan) error {
	root := junitSuites{Name: "akscheck upgrade-plan " + p.Target}
	verdict := junitCase{Name: "verdict: " + p.Verdict, ClassName: "upgrade-plan"}
	if p.Verdict == upgrade.NoGo {
		verdict.Failure = &junitFailure{Message: verdictLine(p), Type: "no-go"}
	}
	suites := []junitSuite{{Name: "verdict", Cases: []junitCase{verdict}}}
	for _, s := range p.Sections {
		suite := junitSuite{Name: s.Title}
		for _, f := range s.Findings {
			name := where(f)
			if name == "" {
				name = "Kubernetes " + f.Step
			}
			c := junitCase{Name: f.Rule + ": " + name, ClassName: "upgrade-plan." + s.ID}
			if k := kind(f); k != "info" {
				c.Failure = &junitFailure{Message: sanitize.Text(f.Message), Type: k, Text: f.Remediation}
			} else {
				c.SystemOut = sanitize.Text(f.Message)
			}
			suite.Cases = append(suite.Cases, c)
		}
		if len(suite.Cases) == 0 {
			c := junitCase{Name: s.Title, ClassName: "upgrade-plan." + s.ID}
			if s.Status == upgrade.StatusNotEvaluated {
				c.Skipped = &junitSkipped{Message: s.Reason}
			}
			suite.Cases = []junitCase{c}
		}
		suites = append(suites, suite)
	}
	for i := range suites {
		for _, c := range suites[i].Cases {
			suites[i].Tests++
			if c.Failure != nil {
				suites[i].Failures++
			}
			if c.Skipped != nil {
				suites[i].Skipped++
			}
		}
		root.Tests += suites[i].Tests
		root.Failures += suites[i].Failures
	}
	root.Suites = suites
	doc, err := xml.MarshalIndent(root, "", "  ")
	if err != nil {
		return fmt.Errorf("writing the JUnit plan: %w", err)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	_, err = w.Write(append(doc, '\n'))
	return err
}
