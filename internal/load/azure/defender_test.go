package azure

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/checks/vuln"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/load/azure/azuretest"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// The digests of the images of testdata/defender/subassessments.json.
const (
	webImage = "shopacr.azurecr.io/shop/web@sha256:4b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"
	apiImage = "shopacr.azurecr.io/shop/api:2.0.1"
)

// shopManifest is a Deployment that runs both images: web by digest, api by tag.
const shopManifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: "` + webImage + `"}
      - {name: api, image: "` + apiImage + `"}
`

func defenderOf(scan *subject.Scan) (reports []*subject.ImageReport, recs []*subject.DefenderRecommendations) {
	for _, s := range scan.Others {
		switch t := s.(type) {
		case *subject.ImageReport:
			reports = append(reports, t)
		case *subject.DefenderRecommendations:
			recs = append(recs, t)
		}
	}
	return reports, recs
}

// Defender's sub-assessments of the cluster's running images and of the registries it pulls
// from become one image report per image, its recommendations one subject; Resource Graph's
// pages are followed, and what belongs to another cluster or registry is not asked for.
func TestDefenderRead(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	scan := newClient(t, srv).Load(t.Context(), azuretest.ClusterID, []string{azuretest.RegistryHost})
	if len(scan.Errors) > 0 {
		t.Fatalf("errors: %+v", scan.Errors)
	}
	reports, recs := defenderOf(scan)
	if len(reports) != 2 {
		t.Fatalf("%d image reports, want shop/web and shop/api", len(reports))
	}
	web, api := reports[0], reports[1]
	if web.Artifact != webImage || !strings.HasPrefix(api.Artifact, "shopacr.azurecr.io/shop/api@sha256:") {
		t.Errorf("artifacts %s, %s", web.Artifact, api.Artifact)
	}
	if web.Scanner != subject.ScannerDefender || !web.FindingsOnly || web.SourceName() != "Defender for Cloud" {
		t.Errorf("web: scanner %q, findings only %v", web.Scanner, web.FindingsOnly)
	}
	if !strings.EqualFold(web.File, azuretest.ClusterID+"/providers/Microsoft.Security/assessments/"+azuretest.RunningImagesKey) ||
		!strings.EqualFold(api.File, azuretest.RegistryID+"/providers/Microsoft.Security/assessments/"+azuretest.RegistryImagesKey) {
		t.Errorf("files %s, %s: want the parent assessments", web.File, api.File)
	}
	// The Healthy sub-assessment (a resolved vulnerability) is not one.
	var got []string
	for _, v := range web.Vulnerabilities {
		got = append(got, v.ID+" "+v.Severity+" "+v.Package+" "+v.Version+" -> "+v.FixedVersion)
	}
	want := []string{"CVE-2024-2511 CRITICAL openssl 3.0.11-1~deb12u2 -> 3.0.13-1~deb12u1", "CVE-2024-24790 HIGH stdlib 1.21.5 -> "}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("web vulnerabilities:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !web.Vulnerabilities[0].OSPackage || web.Vulnerabilities[1].OSPackage {
		t.Error("OS category not read")
	}
	if web.Created.Format("2006-01-02") != "2026-11-23" {
		t.Errorf("created %s", web.Created)
	}
	if !scan.Evidence[catalog.Scan] {
		t.Error("no scan evidence: the vulnerability checks would not run")
	}
	if len(recs) != 1 || !recs[0].Read || len(recs[0].Assessments) != 5 {
		t.Fatalf("recommendations %+v", recs)
	}
	unhealthy := 0
	for _, a := range recs[0].Assessments {
		if a.Unhealthy() {
			unhealthy++
		}
	}
	if unhealthy != 3 {
		t.Errorf("%d unhealthy recommendations, want 3", unhealthy)
	}
	// PageSize 1: every row is a page of its own.
	if n := count(srv.Requests(), "/providers/Microsoft.ResourceGraph/resources"); n < 5+4 {
		t.Errorf("%d Resource Graph requests: the pages were not followed", n)
	}

	// Without the registries' hosts only the running images are read.
	reports, _ = defenderOf(newClient(t, srv).Load(t.Context(), azuretest.ClusterID, nil))
	if len(reports) != 1 || reports[0].Artifact != webImage {
		t.Errorf("without registry hosts: %d reports", len(reports))
	}
}

// A refused Resource Graph query is an error entry naming Defender, the recommendations are
// unknown (the item not evaluated) and no image report is made up.
func TestDefenderForbidden(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	srv.Fail("/providers/Microsoft.ResourceGraph/resources", 403)
	scan := newClient(t, srv).Load(t.Context(), azuretest.ClusterID, nil)
	var msgs []string
	for _, e := range scan.Errors {
		msgs = append(msgs, e.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"reading Defender for Cloud's recommendations", "reading Defender for Cloud's image vulnerability assessments", "forbidden"} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
	reports, recs := defenderOf(scan)
	if len(reports) != 0 || len(recs) != 1 || recs[0].Read || recs[0].Error == "" {
		t.Fatalf("reports %d, recommendations %+v", len(reports), recs)
	}
	if scan.Evidence[catalog.Scan] {
		t.Error("scan evidence without any report")
	}
	rep := engine.Run(t.Context(), catalog.MustLoad(), checks.All(), scan, engine.Options{Now: testutil.Now})
	for _, f := range rep.Findings {
		if f.Check == "defender-recommendations" {
			t.Errorf("finding %q from recommendations that were not read", f.Message)
		}
	}
	if it := testutil.Item(rep, "ops.defender"); it.Status == report.StatusPass {
		t.Errorf("ops.defender passes on recommendations that were not read")
	}
}

// trivyReport writes a Trivy report (schema v2) of an image with the vulnerabilities of a
// Defender image report, as `trivy image -f json` would for the same image.
func trivyReport(t *testing.T, dir, name string, r *subject.ImageReport) {
	t.Helper()
	type vuln struct {
		VulnerabilityID, PkgName, InstalledVersion, FixedVersion, Severity string
	}
	byClass := map[string][]vuln{}
	for _, v := range r.Vulnerabilities {
		class := "lang-pkgs"
		if v.OSPackage {
			class = "os-pkgs"
		}
		fixed := v.FixedVersion
		if fixed == "a fixed version" {
			fixed = ""
		}
		byClass[class] = append(byClass[class], vuln{v.ID, v.Package, v.Version, fixed, v.Severity})
	}
	var results []map[string]any
	for _, class := range []string{"os-pkgs", "lang-pkgs"} {
		if vs := byClass[class]; len(vs) > 0 {
			results = append(results, map[string]any{"Target": r.Artifact, "Class": class, "Type": "debian", "Vulnerabilities": vs})
		}
	}
	var digests, tags []string
	for _, im := range r.Images {
		repo := im.Registry + "/" + im.Repository
		if im.Digest != "" {
			digests = append(digests, repo+"@"+im.Digest)
		} else {
			tags = append(tags, repo+":"+im.Tag)
		}
	}
	doc := map[string]any{"SchemaVersion": 2, "CreatedAt": r.Created.Format("2006-01-02T15:04:05.999999999Z07:00"), "ArtifactName": r.Artifact,
		"ArtifactType": "container_image", "Metadata": map[string]any{"RepoTags": tags, "RepoDigests": digests}, "Results": results}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// vulnFindings runs the vulnerability checks and describes their findings source-blind: the
// source's name and the report's location are the only differences allowed.
func vulnFindings(t *testing.T, scan *subject.Scan, settings check.Settings) []string {
	t.Helper()
	rep := engine.Run(t.Context(), catalog.MustLoad(), vuln.Checks(), scan, engine.Options{Now: testutil.Now, Settings: settings})
	var out []string
	for _, f := range append(rep.Findings, rep.Suppressed...) {
		msg := strings.NewReplacer("reported by Defender for Cloud", "reported by SOURCE", "reported by Trivy", "reported by SOURCE").Replace(f.Message)
		var related []string
		for _, r := range f.Related {
			related = append(related, r.Kind+"/"+r.Namespace+"/"+r.Name+"["+r.Container+"]")
		}
		out = append(out, f.Check+" "+f.Severity.String()+" "+msg+" suppressed="+f.SuppressedBy+" related="+strings.Join(related, ","))
	}
	sort.Strings(out)
	return out
}

// A workload whose images Defender for Cloud found vulnerable gets the findings a Trivy
// report of the same vulnerabilities gives: same join to the workload (by digest, by tag),
// same thresholds, same vulnerabilities.ignore; only the source named differs.
func TestDefenderSameFindingsAsTrivy(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "web.yaml"), []byte(shopManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	viaAzure := load.Load(t.Context(), []string{dir}, load.Options{})
	azScan := newClient(t, srv).Load(t.Context(), azuretest.ClusterID, []string{azuretest.RegistryHost})
	viaAzure.Merge(azScan)
	reports, _ := defenderOf(azScan)
	if len(reports) != 2 {
		t.Fatalf("%d Defender reports", len(reports))
	}

	reportDir := t.TempDir()
	for i, r := range reports {
		trivyReport(t, reportDir, []string{"web", "api"}[i]+".trivy.json", r)
	}
	viaTrivy := load.Load(t.Context(), []string{dir}, load.Options{ScanReports: []string{reportDir}})
	if len(viaTrivy.Errors) > 0 {
		t.Fatalf("the Trivy reports do not load: %+v", viaTrivy.Errors)
	}

	for name, settings := range map[string]check.Settings{
		"defaults": {},
		"ignore": func() check.Settings {
			s := check.Settings{}
			vuln.VulnIgnoreSetting.Set(s, []check.VulnIgnore{{ID: "CVE-2024-2511", Reason: "patched by the distribution's hotfix"}})
			return s
		}(),
		"threshold": func() check.Settings {
			s := check.Settings{}
			vuln.VulnThresholdSetting.Set(s, check.Critical)
			return s
		}(),
	} {
		a, b := vulnFindings(t, viaAzure, settings), vulnFindings(t, viaTrivy, settings)
		if len(a) == 0 {
			t.Fatalf("%s: no finding from Defender's assessments", name)
		}
		if name == "ignore" && !strings.Contains(strings.Join(a, "\n"), "suppressed=vulnerabilities.ignore: patched by the distribution's hotfix") {
			t.Errorf("the ignore entry suppressed nothing:\n%s", strings.Join(a, "\n"))
		}
		if strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Errorf("%s: findings differ\nDefender for Cloud:\n%s\n\nTrivy:\n%s", name, strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
	}

	rep := engine.Run(t.Context(), catalog.MustLoad(), vuln.Checks(), viaAzure, engine.Options{Now: testutil.Now})
	var critical *report.Finding
	for i, f := range rep.Findings {
		if f.Check == "vulnerability-threshold" && strings.Contains(f.Message, "CVE-2024-2511") {
			critical = &rep.Findings[i]
		}
	}
	if critical == nil || critical.Severity != check.Critical || !strings.Contains(critical.Message, "reported by Defender for Cloud") ||
		!strings.Contains(critical.Message, "run by Deployment/shop/web [web]") {
		t.Errorf("the critical CVE's finding: %+v", critical)
	}
}

// A fleet reads every cluster's Defender assessments in two paged queries, not two per
// cluster, and each cluster gets its own: the same as reading it alone.
func TestFleetDefender(t *testing.T) {
	t.Parallel()
	srv := azuretest.NewServer()
	defer srv.Close()
	srv.PageSize = 0
	c := newClient(t, srv)
	fl, err := c.ReadFleet(t.Context(), []string{azuretest.Subscription})
	if err != nil {
		t.Fatal(err)
	}
	before := count(srv.Requests(), "/providers/Microsoft.ResourceGraph/resources")
	shop := fl.Load(t.Context(), azuretest.ClusterID, nil)
	locked := fl.Load(t.Context(), azuretest.LockedClusterID, nil)
	// Two for the Defender assessments of both clusters; the other three are the fleet's
	// backup instances and its one subscription's routing profiles and WAF policies (extras.go).
	if n := count(srv.Requests(), "/providers/Microsoft.ResourceGraph/resources") - before; n != 5 {
		t.Errorf("%d Resource Graph queries for two clusters, want 5 (2 of them Defender's)", n)
	}
	alone := c.Load(t.Context(), azuretest.ClusterID, nil)
	for name, pair := range map[string][2]*subject.Scan{"shop": {shop, alone}} {
		a, ar := defenderOf(pair[0])
		b, br := defenderOf(pair[1])
		if len(a) != len(b) || len(a) != 1 || a[0].Artifact != b[0].Artifact || len(a[0].Vulnerabilities) != len(b[0].Vulnerabilities) {
			t.Errorf("%s: fleet reports %d, alone %d", name, len(a), len(b))
		}
		if len(ar) != 1 || len(br) != 1 || len(ar[0].Assessments) != len(br[0].Assessments) || !ar[0].Read {
			t.Errorf("%s: fleet recommendations %+v, alone %+v", name, ar, br)
		}
	}
	reports, recs := defenderOf(locked)
	if len(reports) != 1 || reports[0].Artifact != "teamacr.azurecr.io/team/batch@sha256:1111111111111111111111111111111111111111111111111111111111111111" ||
		len(recs) != 1 || len(recs[0].Assessments) != 1 {
		t.Errorf("the locked cluster: reports %d, recommendations %+v", len(reports), recs)
	}
}
