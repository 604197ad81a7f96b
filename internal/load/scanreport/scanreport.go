// Package scanreport loads image vulnerability scan reports: Trivy JSON (`trivy image -f
// json`, schema version 2) and Grype JSON (`grype -o json`), told apart by their content.
// Each report becomes one subject.ImageReport; a report that is neither, or that does not
// parse, becomes an error entry naming the file (and the line, for JSON errors).
package scanreport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

// Report formats.
const (
	Trivy = "trivy"
	Grype = "grype"
)

// Detect tells the format of a report from its top-level keys: "trivy", "grype", or "" for
// anything else (including JSON that does not parse).
func Detect(data []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return ""
	}
	return DetectKeys(top)
}

// DetectKeys is Detect on a document's top-level keys, for callers that parsed them already.
func DetectKeys(top map[string]json.RawMessage) string {
	_, schema := top["SchemaVersion"]
	_, artifact := top["ArtifactName"]
	_, results := top["Results"]
	if schema && (artifact || results) {
		return Trivy
	}
	_, matches := top["matches"]
	_, source := top["source"]
	_, descriptor := top["descriptor"]
	if matches && (source || descriptor) {
		return Grype
	}
	return ""
}

// LoadBytes parses one report. source names it in locations and errors.
func LoadBytes(source string, data []byte) *subject.Scan {
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	in := subject.Input{Kind: subject.InputScan, Source: source}
	r, line, err := parse(source, data)
	if err != nil {
		scan.Errors = append(scan.Errors, subject.LoadError{Source: source, Line: line, Message: err.Error()})
	} else {
		scan.Others = append(scan.Others, r)
		scan.Evidence[catalog.Scan] = true
		in.Objects = 1
	}
	scan.Inputs = append(scan.Inputs, in)
	return scan
}

func parse(source string, data []byte) (*subject.ImageReport, int, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && bytes.HasPrefix(bytes.TrimSpace(data), []byte("[")) {
			return nil, 0, errors.New("not a Trivy (schema v2) or Grype JSON report: a top-level list is the Trivy format before schema v2; re-run a current Trivy with -f json")
		}
		return nil, jsonLine(data, err), fmt.Errorf("not a valid JSON scan report: %w", jsonError{err})
	}
	var r *subject.ImageReport
	var err error
	switch DetectKeys(top) {
	case Trivy:
		r, err = parseTrivy(data, top)
	case Grype:
		r, err = parseGrype(data)
	default:
		return nil, 0, errors.New("not a Trivy (schema v2, `trivy image -f json`) or Grype (`grype -o json`) report")
	}
	if err != nil {
		return nil, jsonLine(data, err), err
	}
	r.File = source
	dedupe(r)
	return r, 0, nil
}

type trivyReport struct {
	SchemaVersion int    `json:"SchemaVersion"`
	CreatedAt     string `json:"CreatedAt"`
	ArtifactName  string `json:"ArtifactName"`
	ArtifactType  string `json:"ArtifactType"`
	Metadata      struct {
		RepoTags    []string `json:"RepoTags"`
		RepoDigests []string `json:"RepoDigests"`
	} `json:"Metadata"`
	Results []struct {
		Target          string `json:"Target"`
		Class           string `json:"Class"`
		Type            string `json:"Type"`
		Vulnerabilities []struct {
			VulnerabilityID  string `json:"VulnerabilityID"`
			PkgName          string `json:"PkgName"`
			InstalledVersion string `json:"InstalledVersion"`
			FixedVersion     string `json:"FixedVersion"`
			Severity         string `json:"Severity"`
		} `json:"Vulnerabilities"`
	} `json:"Results"`
}

// trivyOSTypes are the Result types of OS packages, for reports from Trivy versions that
// did not write Class yet.
var trivyOSTypes = map[string]bool{"alpine": true, "debian": true, "ubuntu": true, "redhat": true, "centos": true,
	"rocky": true, "alma": true, "amazon": true, "oracle": true, "photon": true, "suse": true, "opensuse": true,
	"opensuse.leap": true, "opensuse.tumbleweed": true, "cbl-mariner": true, "azurelinux": true, "wolfi": true,
	"chainguard": true, "fedora": true, "echo": true, "minimos": true, "bottlerocket": true}

func parseTrivy(data []byte, top map[string]json.RawMessage) (*subject.ImageReport, error) {
	var version int
	if err := json.Unmarshal(top["SchemaVersion"], &version); err != nil {
		return nil, fmt.Errorf("in the Trivy report, SchemaVersion is not a number: %w", jsonError{err})
	}
	if version != 2 {
		return nil, fmt.Errorf("the Trivy report has schema version %d; akscheck reads version 2 (`trivy image -f json`)", version)
	}
	var t trivyReport
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("reading the Trivy report: %w", jsonError{err})
	}
	r := &subject.ImageReport{Scanner: Trivy, Artifact: t.ArtifactName, Created: parseTime(t.CreatedAt),
		IsImage: t.ArtifactType == "" || t.ArtifactType == "container_image"}
	if r.IsImage {
		r.Images = images(append(append([]string{t.ArtifactName}, t.Metadata.RepoTags...), t.Metadata.RepoDigests...))
	}
	for _, res := range t.Results {
		isOS := res.Class == "os-pkgs" || (res.Class == "" && trivyOSTypes[strings.ToLower(res.Type)])
		for _, v := range res.Vulnerabilities {
			r.Vulnerabilities = append(r.Vulnerabilities, subject.Vulnerability{ID: v.VulnerabilityID, Package: v.PkgName,
				Version: v.InstalledVersion, FixedVersion: v.FixedVersion, Severity: severity(v.Severity), OSPackage: isOS})
		}
	}
	return r, nil
}

type grypeReport struct {
	Matches []struct {
		Vulnerability struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
			Fix      struct {
				Versions []string `json:"versions"`
				State    string   `json:"state"`
			} `json:"fix"`
		} `json:"vulnerability"`
		Artifact struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Type    string `json:"type"`
		} `json:"artifact"`
	} `json:"matches"`
	Source *struct {
		Type   string          `json:"type"`
		Target json.RawMessage `json:"target"`
	} `json:"source"`
	Descriptor struct {
		Timestamp string `json:"timestamp"`
	} `json:"descriptor"`
}

// grypeImage is source.target of a report on an image (syft's image metadata).
type grypeImage struct {
	UserInput      string   `json:"userInput"`
	ManifestDigest string   `json:"manifestDigest"`
	Tags           []string `json:"tags"`
	RepoDigests    []string `json:"repoDigests"`
}

// grypeOSTypes are the artifact types of packages that come with the distribution.
var grypeOSTypes = map[string]bool{"apk": true, "deb": true, "rpm": true, "alpm": true, "portage": true,
	"linux-kernel": true, "linux-kernel-module": true}

func parseGrype(data []byte) (*subject.ImageReport, error) {
	var g grypeReport
	if err := json.Unmarshal(data, &g); err != nil {
		return nil, fmt.Errorf("reading the Grype report: %w", jsonError{err})
	}
	r := &subject.ImageReport{Scanner: Grype, Created: parseTime(g.Descriptor.Timestamp), IsImage: true}
	if g.Source != nil {
		r.IsImage = g.Source.Type == "image"
		var target string
		if json.Unmarshal(g.Source.Target, &target) == nil {
			r.Artifact = target
		}
		if r.IsImage {
			var im grypeImage
			if err := json.Unmarshal(g.Source.Target, &im); err != nil {
				return nil, fmt.Errorf("reading the Grype report's source.target: %w", jsonError{err})
			}
			r.Artifact = im.UserInput
			refs := append(append([]string{im.UserInput}, im.Tags...), im.RepoDigests...)
			r.Images = images(refs)
			if im.ManifestDigest != "" && len(r.Images) > 0 {
				// The manifest digest is the image's digest for single-platform images.
				d := r.Images[0]
				d.Tag, d.Digest = "", im.ManifestDigest
				r.Images = append(r.Images, d)
			}
		}
	}
	for _, m := range g.Matches {
		v := subject.Vulnerability{ID: m.Vulnerability.ID, Package: m.Artifact.Name, Version: m.Artifact.Version,
			Severity: severity(m.Vulnerability.Severity), OSPackage: grypeOSTypes[m.Artifact.Type]}
		if m.Vulnerability.Fix.State == "fixed" {
			v.FixedVersion = strings.Join(m.Vulnerability.Fix.Versions, ", ")
			if v.FixedVersion == "" {
				v.FixedVersion = "a fixed version"
			}
		}
		r.Vulnerabilities = append(r.Vulnerabilities, v)
	}
	return r, nil
}

// images parses the references a report gives for its image, keeping the valid ones once.
func images(refs []string) []subject.ImageRef {
	var out []subject.ImageRef
	seen := map[subject.ImageRef]bool{}
	for _, s := range refs {
		if s == "" {
			continue
		}
		if ref := subject.ParseImage(s); ref.Valid && !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	return out
}

func severity(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "" {
		return "UNKNOWN"
	}
	return s
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t
}

// dedupe keeps one entry per vulnerability, package and version: Trivy repeats a
// vulnerability for each file that holds the package.
func dedupe(r *subject.ImageReport) {
	type key struct{ id, pkg, version string }
	seen := make(map[key]bool, len(r.Vulnerabilities))
	out := r.Vulnerabilities[:0]
	for _, v := range r.Vulnerabilities {
		k := key{v.ID, v.Package, v.Version}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	r.Vulnerabilities = out
}

// jsonLine returns the 1-based line of a JSON syntax or type error, or 0.
func jsonLine(data []byte, err error) int {
	var off int64 = -1
	var se *json.SyntaxError
	var ute *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &ute):
		off = ute.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return 0
	}
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// jsonError describes a JSON error without Go type names, and keeps it for jsonLine.
type jsonError struct{ err error }

func (e jsonError) Error() string { return jsonMessage(e.err) }
func (e jsonError) Unwrap() error { return e.err }

func jsonMessage(err error) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		field := ute.Field
		if field == "" {
			field = "the document"
		}
		return fmt.Sprintf("%s is a JSON %s, not the expected type", field, ute.Value)
	}
	return err.Error()
}
