// Package generate writes large, realistic scan reports for tests and benchmarks: a Trivy
// report of thousands of vulnerabilities spread over OS and language packages, most of them
// fixable, at every severity.
package generate

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

type trivyVuln struct {
	VulnerabilityID  string   `json:"VulnerabilityID"`
	PkgID            string   `json:"PkgID"`
	PkgName          string   `json:"PkgName"`
	InstalledVersion string   `json:"InstalledVersion"`
	FixedVersion     string   `json:"FixedVersion,omitempty"`
	Status           string   `json:"Status"`
	SeveritySource   string   `json:"SeveritySource"`
	PrimaryURL       string   `json:"PrimaryURL"`
	Title            string   `json:"Title"`
	Description      string   `json:"Description"`
	Severity         string   `json:"Severity"`
	References       []string `json:"References"`
}

type trivyResult struct {
	Target          string      `json:"Target"`
	Class           string      `json:"Class"`
	Type            string      `json:"Type"`
	Vulnerabilities []trivyVuln `json:"Vulnerabilities"`
}

// severities cycle so that a ninth of the vulnerabilities are critical, two ninths high.
var severities = []string{"CRITICAL", "HIGH", "HIGH", "MEDIUM", "MEDIUM", "MEDIUM", "LOW", "LOW", "UNKNOWN"}

// Trivy returns a `trivy image -f json` report (schema v2) of an image with n
// vulnerabilities: half in Debian packages, half in npm packages; one in five has no fix.
func Trivy(image string, created time.Time, n int) []byte {
	results := []trivyResult{
		{Target: image + " (debian 12.7)", Class: "os-pkgs", Type: "debian"},
		{Target: "app/package-lock.json", Class: "lang-pkgs", Type: "npm"},
	}
	for i := range n {
		pkg := fmt.Sprintf("pkg%03d", i%400)
		version := fmt.Sprintf("1.0.%d", i%7)
		id := fmt.Sprintf("CVE-2024-%05d", i)
		v := trivyVuln{VulnerabilityID: id, PkgID: pkg + "@" + version, PkgName: pkg, InstalledVersion: version,
			Status: "affected", SeveritySource: "nvd", PrimaryURL: "https://avd.aquasec.com/nvd/" + strings.ToLower(id),
			Title: pkg + ": generated vulnerability", Description: strings.Repeat("A generated description. ", 4),
			Severity: severities[i%len(severities)], References: []string{"https://nvd.nist.gov/vuln/detail/" + id}}
		if i%5 != 0 {
			v.FixedVersion, v.Status = "1.0.99", "fixed"
		}
		results[i%2].Vulnerabilities = append(results[i%2].Vulnerabilities, v)
	}
	doc := map[string]any{
		"SchemaVersion": 2, "CreatedAt": created.UTC().Format(time.RFC3339Nano), "ArtifactName": image,
		"ArtifactType": "container_image", "Metadata": map[string]any{"RepoTags": []string{image}}, "Results": results,
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err) // the document is made of strings and numbers only
	}
	return data
}
