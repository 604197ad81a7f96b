package junit

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/render/fixtext/fixtest"
	"github.com/akscheck/akscheck/internal/testutil/scantest"
)

// parsed is JUnit XML as a consumer (Azure Pipelines, GitLab) reads it.
type parsed struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			ClassName string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestParsesBack(t *testing.T) {
	t.Parallel()
	rep, cat := scantest.Run(t, engine.Options{Version: "test"}, "../../../examples", "../testdata/hostile.yaml", "does-not-exist.yaml")
	all := checks.All()

	var buf bytes.Buffer
	if err := Render(&buf, rep, cat, all, Options{}); err != nil {
		t.Fatal(err)
	}
	var doc parsed
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("the XML does not parse: %v", err)
	}
	if len(doc.Suites) != len(cat.Sections)+1 || doc.Suites[len(doc.Suites)-1].Name != "Inputs" {
		t.Fatalf("%d suites, want one per section (%d) and one for the inputs", len(doc.Suites), len(cat.Sections))
	}

	// One failing case per (check, object, container) with findings.
	type key struct{ check, kind, ns, name, container string }
	groups := map[key]bool{}
	for _, f := range rep.Findings {
		groups[key{f.Check, f.Object.Kind, f.Object.Namespace, f.Object.Name, f.Container}] = true
	}
	tests, failures, errs, skipped := 0, 0, 0, 0
	for _, s := range doc.Suites {
		n, fl, er, sk := 0, 0, 0, 0
		for _, c := range s.Cases {
			n++
			switch {
			case c.Failure != nil:
				fl++
				if c.Failure.Message == "" || !strings.Contains(c.Failure.Text, "Remediation: ") || c.Failure.Type == "" {
					t.Errorf("case %s: failure without message, type or remediation", c.Name)
				}
			case c.Error != nil:
				er++
			case c.Skipped != nil:
				sk++
				if c.Skipped.Message == "" {
					t.Errorf("case %s: skipped without a reason", c.Name)
				}
			}
		}
		if n != s.Tests || fl != s.Failures || er != s.Errors || sk != s.Skipped {
			t.Errorf("suite %s counts tests %d/%d failures %d/%d errors %d/%d skipped %d/%d",
				s.Name, s.Tests, n, s.Failures, fl, s.Errors, er, s.Skipped, sk)
		}
		tests, failures, errs, skipped = tests+n, failures+fl, errs+er, skipped+sk
	}
	if failures != len(groups) {
		t.Errorf("%d failing cases, want %d (one per check and object)", failures, len(groups))
	}
	if errs != len(rep.Errors) || errs == 0 {
		t.Errorf("%d error cases for %d input errors", errs, len(rep.Errors))
	}
	if doc.Tests != tests || doc.Failures != failures || doc.Errors != errs || doc.Skipped != skipped {
		t.Errorf("root counts %d/%d/%d/%d, cases %d/%d/%d/%d", doc.Tests, doc.Failures, doc.Errors, doc.Skipped, tests, failures, errs, skipped)
	}
	if !strings.Contains(buf.String(), "&lt;script&gt;") {
		t.Error("the hostile names are not escaped as XML text")
	}
}

// TestFixes: a failure's text carries each finding's fix as the table's -o wide shows it,
// escaped, with credentials withheld, and the XML stays well-formed.
func TestFixes(t *testing.T) {
	t.Parallel()
	rep, cat := fixtest.Report()
	var buf bytes.Buffer
	if err := Render(&buf, rep, cat, checks.All(), Options{}); err != nil {
		t.Fatal(err)
	}
	var p parsed
	if err := xml.Unmarshal(buf.Bytes(), &p); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
	var texts strings.Builder
	for _, s := range p.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				texts.WriteString(c.Failure.Text)
			}
		}
	}
	all := texts.String()
	for _, want := range []string{
		"  fix (arm):\n    $ az aks update --resource-group rg-prod --name aks-prod --enable-azure-rbac\n",
		"    terraform/main.tf:12  azure_policy_enabled = true\n",
		"    note: Choose the bounds for the pool's load before running it.\n",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the failures lack %q", want)
		}
	}
	for _, bad := range []string{"AccountKey=", "s3cr3t", "\x1b", "\u202e"} {
		if strings.Contains(all, bad) {
			t.Errorf("the failures carry %q", bad)
		}
	}
}
