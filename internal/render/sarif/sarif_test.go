package sarif

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/akscheck/akscheck/internal/baseline"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil"
	"github.com/akscheck/akscheck/internal/testutil/scantest"
)

func scan(t *testing.T, paths ...string) (*report.Report, *catalog.Catalog, []*check.Check) {
	t.Helper()
	rep, cat := scantest.Run(t, engine.Options{Version: "v1.2.3"}, paths...)
	return rep, cat, checks.All()
}

func render(t *testing.T, rep *report.Report, cat *catalog.Catalog, all []*check.Check, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, rep, cat, all, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestValidAgainstSchema validates logs against the official SARIF 2.1.0 schema: the examples,
// input with errors, a baseline run, an empty scan and relative docs links.
func TestValidAgainstSchema(t *testing.T) {
	t.Parallel()
	schema := testutil.CompileSchema(t, "testdata/sarif-schema-2.1.0.json")
	rep, cat, all := scan(t, "../../../examples")
	errs, _, _ := scan(t, "../../../examples/k8s/cart.yaml", "does-not-exist.yaml")
	based, _, _ := scan(t, "../../../examples")
	b := baseline.New(based, cat)
	b.Findings = b.Findings[:len(b.Findings)/2]
	baseline.Apply(based, b, "base.json", cat)
	based.Summarize()
	empty, _, _ := scan(t)
	noticed, _, _ := scan(t, "../../../examples/k8s/cart.yaml")
	noticed.Notices = []report.Notice{{Severity: check.Medium, Source: ".akscheck.yaml", Line: 7, Message: "exemption expired"}, {Message: "no source"}}
	for name, tc := range map[string]struct {
		rep  *report.Report
		opts Options
	}{
		"examples":      {rep, Options{}},
		"errors":        {errs, Options{}},
		"baseline":      {based, Options{}},
		"empty":         {empty, Options{}},
		"notices":       {noticed, Options{}},
		"relative docs": {rep, Options{DocsBaseURL: "docs/checks/"}},
	} {
		out := render(t, tc.rep, cat, all, tc.opts)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("%s: not JSON: %v", name, err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s: not valid SARIF 2.1.0: %v", name, err)
		}
	}
	// The schema does reject what is not SARIF: a control, so that a schema that validates
	// nothing cannot pass this test.
	bad := bytes.Replace(render(t, rep, cat, all, Options{}), []byte(`"level": "error"`), []byte(`"level": "fatal"`), 1)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	if schema.Validate(inst) == nil {
		t.Error("the schema accepts a result of level fatal")
	}
}

type sarifLog struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID         string
					HelpURI    string
					Help       struct{ Text, Markdown string }
					Properties map[string]any
				}
			}
		}
		Results []struct {
			RuleID              string
			RuleIndex           int
			Level               string
			BaselineState       string
			Suppressions        []struct{ Kind, Justification string }
			PartialFingerprints map[string]string
			Locations           []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI       string
						URIBaseID string `json:"uriBaseId"`
					}
					Region struct{ StartLine int }
				}
				LogicalLocations []struct{ FullyQualifiedName, Kind string }
			}
		}
		Invocations []struct {
			ToolExecutionNotifications []struct{ Message struct{ Text string } }
		}
	}
}

func parse(t *testing.T, out []byte) sarifLog {
	t.Helper()
	var l sarifLog
	if err := json.Unmarshal(out, &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Runs) != 1 {
		t.Fatalf("%d runs", len(l.Runs))
	}
	return l
}

func TestRulesAndResults(t *testing.T) {
	t.Parallel()
	rep, cat, all := scan(t, "../../../examples")
	l := parse(t, render(t, rep, cat, all, Options{}))
	run := l.Runs[0]
	if len(run.Tool.Driver.Rules) != len(all) {
		t.Errorf("%d rules for %d checks", len(run.Tool.Driver.Rules), len(all))
	}
	for _, r := range run.Tool.Driver.Rules {
		if !strings.HasSuffix(r.HelpURI, "/docs/checks/"+r.ID+".md") || !strings.Contains(r.Help.Markdown, r.HelpURI) {
			t.Errorf("rule %s: help link %q", r.ID, r.HelpURI)
		}
		tags, _ := r.Properties["tags"].([]any)
		var hasSection, hasItem bool
		for _, tag := range tags {
			s, _ := tag.(string)
			hasSection = hasSection || strings.HasPrefix(s, "section:")
			hasItem = hasItem || strings.HasPrefix(s, "item:")
		}
		if !hasSection || !hasItem {
			t.Errorf("rule %s: tags %v lack the section or the item", r.ID, tags)
		}
		if s, _ := r.Properties["security-severity"].(string); s == "" {
			t.Errorf("rule %s: no security-severity", r.ID)
		}
	}
	if len(run.Results) != len(rep.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(rep.Findings))
	}
	seen := map[string]bool{}
	for i, res := range run.Results {
		f := rep.Findings[i]
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID || res.RuleID != f.Check {
			t.Errorf("result %d: rule %s at index %d", i, res.RuleID, res.RuleIndex)
		}
		loc := res.Locations[0]
		if f.Location.File == "" {
			if loc.PhysicalLocation == nil || loc.PhysicalLocation.ArtifactLocation.URIBaseID != baseKubernetes {
				t.Errorf("result %d: an object no file holds has no pseudo-file location: %+v", i, loc.PhysicalLocation)
			}
		} else if loc.PhysicalLocation == nil || loc.PhysicalLocation.ArtifactLocation.URI != strings.TrimPrefix(f.Location.File, "./") ||
			loc.PhysicalLocation.Region.StartLine != f.Location.Line {
			t.Errorf("result %d: physical location %+v for %s:%d", i, loc.PhysicalLocation, f.Location.File, f.Location.Line)
		}
		if len(loc.LogicalLocations) != 1 || !strings.Contains(loc.LogicalLocations[0].FullyQualifiedName, f.Object.Kind+"/") {
			t.Errorf("result %d: logical location %+v", i, loc.LogicalLocations)
		}
		fp := res.PartialFingerprints[FingerprintKey]
		if fp == "" || seen[fp] {
			t.Errorf("result %d: fingerprint %q missing or not unique", i, fp)
		}
		seen[fp] = true
	}
}

// TestFingerprintsStableWhenLinesMove scans a manifest, then the same manifest with lines
// added above every object: the fingerprints do not change, the lines do.
func TestFingerprintsStableWhenLinesMove(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../../../examples/k8s/cart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	before, after := dir+"/before.yaml", dir+"/after.yaml"
	moved := strings.ReplaceAll("# a comment\n\n"+string(src), "\n---\n", "\n---\n# moved\n\n\n")
	if err := os.WriteFile(before, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(after, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	fingerprints := func(path string) (fps []string, lines []int) {
		rep, cat, all := scan(t, path)
		for _, r := range parse(t, render(t, rep, cat, all, Options{})).Runs[0].Results {
			if baseDescription(r.Locations[0].PhysicalLocation.ArtifactLocation.URIBaseID) != "" {
				continue // a finding about an object no file holds (the default namespace, say)
			}
			fps = append(fps, r.PartialFingerprints[FingerprintKey])
			lines = append(lines, r.Locations[0].PhysicalLocation.Region.StartLine)
		}
		return fps, lines
	}
	fa, la := fingerprints(before)
	fb, lb := fingerprints(after)
	if len(fa) == 0 || strings.Join(fa, ",") != strings.Join(fb, ",") {
		t.Errorf("fingerprints changed when lines moved:\n%v\n%v", fa, fb)
	}
	if la[0] == lb[0] {
		t.Errorf("the lines did not move (%d): the test proves nothing", la[0])
	}
}

// TestLiveAndAzureSubjectsGetPseudoFiles: objects of a running cluster and Azure resources
// have no file; they get a stable pseudo-file under a declared base, and their logical
// location names them.
func TestLiveAndAzureSubjectsGetPseudoFiles(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	rid := "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1"
	rep := &report.Report{
		Tool:   report.Tool{Name: "akscheck", Version: "dev"},
		Inputs: []report.Input{{Kind: "cluster", Source: "prod-context"}},
		Findings: []report.Finding{
			{Check: "liveness-probe", Item: "dev.liveness-probe", Severity: check.Medium, Message: "m",
				Object: report.Object{Kind: "Deployment", Namespace: "shop", Name: "cart"}, Container: "cart", Location: report.Location{File: "prod-context"}},
			{Check: "aks-private-cluster", Item: "cluster.private-cluster", Severity: check.High, Message: "m",
				Object: report.Object{Kind: "Microsoft.ContainerService/managedClusters", Name: "aks1"}, Location: report.Location{File: rid}},
		},
		Summary: report.Summary{Findings: map[string]int{}, Items: map[string]int{}},
	}
	out := render(t, rep, cat, checks.All(), Options{})
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.CompileSchema(t, "testdata/sarif-schema-2.1.0.json").Validate(inst); err != nil {
		t.Errorf("not valid SARIF: %v", err)
	}
	res := parse(t, out).Runs[0].Results
	if p := res[0].Locations[0].PhysicalLocation; p == nil || p.ArtifactLocation.URI != "prod-context/Deployment/shop/cart" ||
		p.ArtifactLocation.URIBaseID != baseKubernetes || res[0].Locations[0].LogicalLocations[0].FullyQualifiedName != "Deployment/shop/cart/cart" {
		t.Errorf("live finding: %+v", res[0].Locations[0])
	}
	if p := res[1].Locations[0].PhysicalLocation; p == nil || p.ArtifactLocation.URI != strings.TrimPrefix(rid, "/") ||
		p.ArtifactLocation.URIBaseID != baseAzure || res[1].Locations[0].LogicalLocations[0].FullyQualifiedName != rid {
		t.Errorf("Azure finding: %+v", res[1].Locations[0])
	}
	checkCodeScanningRules(t, out)
}

func TestBaselineStates(t *testing.T) {
	t.Parallel()
	rep, cat, all := scan(t, "../../../examples")
	b := baseline.New(rep, cat)
	b.Findings = b.Findings[1:] // the first finding is "new"
	baseline.Apply(rep, b, "base.json", cat)
	rep.Summarize()
	states := map[string]int{}
	for _, r := range parse(t, render(t, rep, cat, all, Options{})).Runs[0].Results {
		states[r.BaselineState]++
		if r.BaselineState == "unchanged" && (len(r.Suppressions) != 1 || r.Suppressions[0].Justification != "baseline") {
			t.Errorf("a baselined result is not suppressed: %+v", r.Suppressions)
		}
	}
	if states["new"] != 1 || states["unchanged"] != len(b.Findings) {
		t.Errorf("baseline states %v", states)
	}
}

// checkCodeScanningRules asserts the rules of GitHub's "SARIF support for code scanning"
// reference (docs.github.com/code-security/code-scanning/integrating-with-code-scanning/
// sarif-support-for-code-scanning) that a valid SARIF log can still break, one assertion per
// rule:
//   - version 2.1.0 and runs present;
//   - tool.driver.name set;
//   - each result has ruleId and message.text;
//   - "at least one location is required for code scanning to display a result", and the
//     location is a physical one: an upload whose result has none is rejected ("expected
//     artifact location");
//   - artifactLocation.uri is a relative path with a uriBaseId, or a file: URI (other schemes
//     are refused as "unrecognized SARIF location URI scheme"); every uriBaseId other than
//     %SRCROOT% is declared in originalUriBaseIds;
//   - region.startLine, when given, is at least 1;
//   - at most 10 locations per result, and at most 25,000 results and 25,000 rules per run
//     (the upload limits).
func checkCodeScanningRules(t *testing.T, out []byte) {
	t.Helper()
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string            `json:"name"`
					Rules []json.RawMessage `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			OriginalURIBaseIDs map[string]json.RawMessage `json:"originalUriBaseIds"`
			Results            []struct {
				RuleID  string `json:"ruleId"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
						Region *struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || doc.Runs == nil {
		t.Errorf("version %q, runs %v", doc.Version, doc.Runs != nil)
	}
	for _, run := range doc.Runs {
		if run.Tool.Driver.Name == "" {
			t.Error("tool.driver.name is empty")
		}
		if len(run.Results) > 25000 || len(run.Tool.Driver.Rules) > 25000 {
			t.Errorf("%d results, %d rules: over the upload limits", len(run.Results), len(run.Tool.Driver.Rules))
		}
		for i, r := range run.Results {
			if r.RuleID == "" || r.Message.Text == "" {
				t.Errorf("result %d: ruleId %q, message %q", i, r.RuleID, r.Message.Text)
			}
			if len(r.Locations) == 0 || len(r.Locations) > 10 {
				t.Errorf("result %d has %d locations", i, len(r.Locations))
				continue
			}
			p := r.Locations[0].PhysicalLocation
			if p == nil || p.ArtifactLocation.URI == "" {
				t.Errorf("result %d has no physical location with a uri: code scanning rejects the upload", i)
				continue
			}
			u, err := url.Parse(p.ArtifactLocation.URI)
			switch {
			case err != nil:
				t.Errorf("result %d: uri %q: %v", i, p.ArtifactLocation.URI, err)
			case u.Scheme != "" && u.Scheme != "file":
				t.Errorf("result %d: uri scheme %q is not one code scanning recognises", i, u.Scheme)
			case u.Scheme == "" && p.ArtifactLocation.URIBaseID == "":
				t.Errorf("result %d: relative uri %q without uriBaseId", i, p.ArtifactLocation.URI)
			}
			if b := p.ArtifactLocation.URIBaseID; b != "" && b != "%SRCROOT%" && run.OriginalURIBaseIDs[b] == nil {
				t.Errorf("result %d: uriBaseId %s is not declared in originalUriBaseIds", i, b)
			}
			if p.Region != nil && p.Region.StartLine < 1 {
				t.Errorf("result %d: startLine %d", i, p.Region.StartLine)
			}
		}
	}
}

// TestExamplesMeetCodeScanningRules: the SARIF log of the whole examples estate (manifests,
// charts, Kustomize, az JSON, Terraform, Dockerfiles, scan reports) and of standard input
// meets code scanning's rules.
func TestExamplesMeetCodeScanningRules(t *testing.T) {
	t.Parallel()
	rep, cat, all := scan(t, "../../../examples")
	checkCodeScanningRules(t, render(t, rep, cat, all, Options{}))
	stdin := *rep
	stdin.Findings = append([]report.Finding(nil), rep.Findings...)
	for i := range stdin.Findings {
		if stdin.Findings[i].Location.File != "" {
			stdin.Findings[i].Location.File = "<stdin>"
		}
	}
	checkCodeScanningRules(t, render(t, &stdin, cat, all, Options{}))
}
