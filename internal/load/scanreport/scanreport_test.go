package scanreport

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/load/scanreport/generate"
	"github.com/akscheck/akscheck/internal/subject"
)

func loadFile(t *testing.T, path string) *subject.ImageReport {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := LoadBytes(path, data)
	if len(s.Errors) > 0 || len(s.Others) != 1 {
		t.Fatalf("%s does not load: %+v", path, s.Errors)
	}
	if s.Inputs[0].Kind != subject.InputScan || s.Inputs[0].Objects != 1 || !s.Evidence["scan"] {
		t.Errorf("inputs %+v, evidence %v", s.Inputs, s.Evidence)
	}
	return s.Others[0].(*subject.ImageReport)
}

func TestTrivy(t *testing.T) {
	t.Parallel()
	r := loadFile(t, filepath.Join("..", "..", "..", "examples", "images", "storefront.trivy.json"))
	if r.Scanner != Trivy || r.Artifact != "contosoacr.azurecr.io/shop/storefront:2.4.1" || !r.IsImage {
		t.Errorf("report = %+v", r)
	}
	if want := time.Date(2026, 11, 23, 6, 40, 12, 519381000, time.UTC); !r.Created.Equal(want) {
		t.Errorf("created = %v, want %v", r.Created, want)
	}
	var tags, digests int
	for _, im := range r.Images {
		if im.Repository != "shop/storefront" || im.Registry != "contosoacr.azurecr.io" {
			t.Errorf("image %+v", im)
		}
		if im.Digest != "" {
			digests++
		} else if im.Tag == "2.4.1" {
			tags++
		}
	}
	if tags != 1 || digests != 1 {
		t.Errorf("images = %+v, want the tag once and the repo digest", r.Images)
	}
	if len(r.Vulnerabilities) != 6 {
		t.Fatalf("%d vulnerabilities, want 6", len(r.Vulnerabilities))
	}
	v := r.Vulnerabilities[0]
	if v.ID != "CVE-2024-6119" || v.Package != "libssl3" || v.Version != "3.0.13-1~deb12u1" || v.FixedVersion != "3.0.14-1~deb12u2" ||
		v.Severity != "HIGH" || !v.OSPackage || !v.Fixable() {
		t.Errorf("first vulnerability = %+v", v)
	}
	if z := r.Vulnerabilities[2]; z.Fixable() || z.Severity != "CRITICAL" {
		t.Errorf("will_not_fix vulnerability = %+v", z)
	}
	if n := r.Vulnerabilities[4]; n.OSPackage || n.Package != "cross-spawn" {
		t.Errorf("Node.js vulnerability = %+v, want a language package", n)
	}
}

func TestGrype(t *testing.T) {
	t.Parallel()
	r := loadFile(t, filepath.Join("..", "..", "..", "examples", "images", "orders.grype.json"))
	digest := "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
	if r.Scanner != Grype || r.Artifact != "contosoacr.azurecr.io/shop/orders@"+digest || !r.IsImage || r.Created.IsZero() {
		t.Errorf("report = %+v", r)
	}
	found := false
	for _, im := range r.Images {
		found = found || (im.Digest == digest && im.Repository == "shop/orders")
	}
	if !found {
		t.Errorf("images = %+v, want the repo digest", r.Images)
	}
	want := []string{
		"CVE-2024-6345 setuptools HIGH fixed=70.0.0 os=false",
		"CVE-2024-45490 libexpat1 CRITICAL fixed=2.5.0-1+deb12u1 os=true",
		"CVE-2023-52425 libexpat1 MEDIUM fixed= os=true",
		"CVE-2024-35195 requests MEDIUM fixed=2.32.0 os=false",
	}
	for i, v := range r.Vulnerabilities {
		if got := fmt.Sprintf("%s %s %s fixed=%s os=%v", v.ID, v.Package, v.Severity, v.FixedVersion, v.OSPackage); i >= len(want) || got != want[i] {
			t.Errorf("vulnerability %d = %s", i, got)
		}
	}
}

func TestGrypeDirectoryAndTrivyFilesystem(t *testing.T) {
	t.Parallel()
	grypeDir := `{"matches":[],"source":{"type":"directory","target":"./app"},"descriptor":{"name":"grype","timestamp":""}}`
	trivyFS := `{"SchemaVersion":2,"ArtifactName":"./app","ArtifactType":"filesystem","Results":[]}`
	for _, doc := range []string{grypeDir, trivyFS} {
		s := LoadBytes("r.json", []byte(doc))
		if len(s.Errors) > 0 {
			t.Fatal(s.Errors)
		}
		r := s.Others[0].(*subject.ImageReport)
		if r.IsImage || r.Artifact != "./app" || len(r.Images) != 0 || r.Identity().Kind != "ScanTarget" || !r.Created.IsZero() {
			t.Errorf("report = %+v", r)
		}
	}
}

func TestDuplicatesAcrossResultsAreMerged(t *testing.T) {
	t.Parallel()
	doc := `{"SchemaVersion":2,"ArtifactName":"app:1","Results":[
	  {"Target":"a.jar","Class":"lang-pkgs","Vulnerabilities":[{"VulnerabilityID":"CVE-1","PkgName":"log4j","InstalledVersion":"2.14","Severity":"critical"}]},
	  {"Target":"b.jar","Class":"lang-pkgs","Vulnerabilities":[{"VulnerabilityID":"CVE-1","PkgName":"log4j","InstalledVersion":"2.14","Severity":"CRITICAL"}]}]}`
	s := LoadBytes("r.json", []byte(doc))
	r := s.Others[0].(*subject.ImageReport)
	if len(r.Vulnerabilities) != 1 || r.Vulnerabilities[0].Severity != "CRITICAL" {
		t.Errorf("vulnerabilities = %+v, want one, severity in upper case", r.Vulnerabilities)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		doc  string
		line int
		msg  string
	}{
		"not JSON":          {"{\n  \"SchemaVersion\": 2,\n  oops\n}", 3, "not a valid JSON scan report"},
		"truncated":         {`{"SchemaVersion": 2, "Results": [`, 1, "not a valid JSON scan report"},
		"kubernetes object": {`{"apiVersion":"v1","kind":"ConfigMap"}`, 0, "not a Trivy (schema v2"},
		"trivy schema 1":    {`{"SchemaVersion":1,"ArtifactName":"x"}`, 0, "schema version 1"},
		"trivy before v2":   {`[{"Target":"x","Vulnerabilities":[]}]`, 0, "before schema v2"},
		"wrong type": {"{\"SchemaVersion\": 2, \"ArtifactName\": \"x\",\n\"Results\": [{\"Target\": \"t\",\n \"Vulnerabilities\": {\"a\": 1}}]}", 3,
			"Results.Vulnerabilities is a JSON object"},
		"grype bad target": {`{"matches":[],"source":{"type":"image","target":[1]}}`, 1, "source.target"},
		"empty":            {"", 1, "not a valid JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := LoadBytes("report.json", []byte(tc.doc))
			if len(s.Errors) != 1 || len(s.Others) != 0 {
				t.Fatalf("errors %+v, others %d", s.Errors, len(s.Others))
			}
			e := s.Errors[0]
			if e.Source != "report.json" || e.Line != tc.line || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("error = %+v, want line %d and %q", e, tc.line, tc.msg)
			}
			if len(s.Inputs) != 1 || s.Evidence["scan"] {
				t.Errorf("inputs %+v, evidence %v: want the file recorded, no evidence", s.Inputs, s.Evidence)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	for doc, want := range map[string]string{
		`{"SchemaVersion":2,"ArtifactName":"x"}`: Trivy,
		`{"SchemaVersion":2,"Results":[]}`:       Trivy,
		`{"matches":[],"source":null}`:           Grype,
		`{"matches":[],"descriptor":{}}`:         Grype,
		`{"matches":[]}`:                         "",
		`{"SchemaVersion":2}`:                    "",
		`[1]`:                                    "",
	} {
		if got := Detect([]byte(doc)); got != want {
			t.Errorf("Detect(%s) = %q, want %q", doc, got, want)
		}
	}
}

func TestLargeReport(t *testing.T) {
	t.Parallel()
	data := generate.Trivy("contosoacr.azurecr.io/shop/big:1.0", time.Now(), 12000)
	start := time.Now()
	s := LoadBytes("big.json", data)
	elapsed := time.Since(start)
	if len(s.Errors) > 0 {
		t.Fatal(s.Errors)
	}
	r := s.Others[0].(*subject.ImageReport)
	if len(r.Vulnerabilities) != 12000 {
		t.Errorf("%d vulnerabilities, want 12000", len(r.Vulnerabilities))
	}
	t.Logf("loaded a %.1f MB report with %d vulnerabilities in %v", float64(len(data))/1e6, len(r.Vulnerabilities), elapsed)
}
