package azure

import (
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// FuzzDefenderRows feeds the decoders of Defender for Cloud's Resource Graph rows arbitrary
// bytes: they must never panic, and what they accept must hold together: every image report
// names a valid image and its vulnerabilities once each with a severity, every
// recommendation an ID and a status. Seeded from the replay server's rows.
func FuzzDefenderRows(f *testing.F) {
	testutil.AddSeeds(f, []string{
		`[]`, `[null]`, `[{"id":7}]`, `{"id":"x"}`,
		`[{"id":"/x/providers/Microsoft.Security/assessments/k/subAssessments/1","properties":{"status":{"code":"Unhealthy"},"additionalData":{"assessedResourceType":"AzureContainerRegistryVulnerability","artifactDetails":{"registryHost":"A.io","repositoryName":"B","tags":["::"]}}}}]`,
		`[{"id":"a","properties":{"additionalData":{"assessedResourceType":"AzureContainerRegistryVulnerability","artifactDetails":{"registryHost":"a.io","repositoryName":"r","digest":"sha256:00","tags":[""]},"softwareDetails":{"fixStatus":"FixAvailable"}},"status":{"code":"Unhealthy"}}}]`,
	}, "azuretest/testdata/defender/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			reports, skipped, err := DecodeSubAssessments(data)
			if err != nil && (reports != nil || skipped != 0) {
				t.Fatalf("an error with %d reports, %d skipped", len(reports), skipped)
			}
			for _, r := range reports {
				if len(r.Images) == 0 || r.Scanner != subject.ScannerDefender || !r.FindingsOnly || !r.IsImage {
					t.Fatalf("report %+v", r)
				}
				for _, im := range r.Images {
					if !im.Valid {
						t.Fatalf("invalid image in %s", r.Artifact)
					}
				}
				seen := map[string]bool{}
				for _, v := range r.Vulnerabilities {
					k := v.ID + "\x00" + v.Package + "\x00" + v.Version
					if seen[k] || v.Severity == "" || v.Severity != strings.ToUpper(v.Severity) {
						t.Fatalf("vulnerability %+v of %s", v, r.Artifact)
					}
					seen[k] = true
				}
			}
			rec, err := DecodeRecommendations("/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerService/managedClusters/a", data)
			if err != nil {
				return
			}
			if !rec.Read || rec.Name != "a" {
				t.Fatalf("recommendations %+v", rec)
			}
			for i, a := range rec.Assessments {
				if a.ID == "" || a.Status == "" || a.DisplayName == "" {
					t.Fatalf("assessment %+v", a)
				}
				if i > 0 && strings.ToLower(rec.Assessments[i-1].ID) > strings.ToLower(a.ID) {
					t.Fatal("assessments not in ID order")
				}
			}
		})
	})
}
