package subject

import "time"

// InputScan is the input kind of image vulnerability scan reports.
const InputScan InputKind = "scan"

// ImageReport is a vulnerability scan report of one image, from Trivy (JSON schema v2),
// Grype (JSON) or Defender for Cloud's vulnerability assessments (read with --azure), in one
// shape.
type ImageReport struct {
	// File is the report's path; for Defender for Cloud, the ID of the assessment whose
	// sub-assessments it gathers.
	File string
	// Scanner is "trivy", "grype" or "defender" (ScannerDefender).
	Scanner string
	// FindingsOnly is true when the source lists only images that have findings (Defender for
	// Cloud publishes a sub-assessment per vulnerability): that it holds no report of an
	// image does not mean the image was not scanned.
	FindingsOnly bool
	// Artifact is what was scanned, as the scanner names it: an image reference, or a path for
	// reports on a directory or an archive.
	Artifact string
	// IsImage is false when the scanner says it scanned something other than an image (a
	// directory, a repository, an SBOM).
	IsImage bool
	// Images are the valid references the report gives for the image: the artifact, its tags
	// and its repository digests.
	Images []ImageRef
	// Created is when the scan ran; zero when the report does not say.
	Created time.Time
	// Vulnerabilities are the report's vulnerabilities, one per vulnerability and package.
	Vulnerabilities []Vulnerability
}

// Vulnerability is one vulnerability of one package of a scanned image.
type Vulnerability struct {
	ID      string
	Package string
	// Version is the installed version.
	Version string
	// FixedVersion is the version (or versions) that fix it; "" when no fix is available.
	FixedVersion string
	// Severity is the scanner's severity in upper case: CRITICAL, HIGH, MEDIUM, LOW,
	// NEGLIGIBLE or UNKNOWN.
	Severity string
	// OSPackage is true for packages of the image's distribution (Trivy class os-pkgs; Grype
	// artifact types deb, rpm, apk...), which come with the base image.
	OSPackage bool
}

// ScannerDefender is the Scanner of the reports read from Defender for Cloud.
const ScannerDefender = "defender"

// SourceName is the name of the tool that reported the vulnerabilities, for messages: Trivy,
// Grype or Defender for Cloud.
func (r *ImageReport) SourceName() string {
	switch r.Scanner {
	case "trivy":
		return "Trivy"
	case "grype":
		return "Grype"
	case ScannerDefender:
		return "Defender for Cloud"
	}
	return r.Scanner
}

// Fixable reports whether a fixed version exists.
func (v *Vulnerability) Fixable() bool { return v.FixedVersion != "" }

// Identity implements Subject: an image report is named by the image it scanned.
func (r *ImageReport) Identity() Identity {
	kind := "Image"
	if !r.IsImage {
		kind = "ScanTarget"
	}
	return Identity{Kind: kind, Name: r.Artifact, Source: Location{File: r.File}, Input: InputScan}
}

// ImageUse is a container of a workload that runs an image.
type ImageUse struct {
	Workload  *Workload
	Container string
}

// reportIndex joins scan reports to the workloads that run their images. An image is matched
// by repository and digest, else by repository and tag; when several reports match, the
// newest counts.
type reportIndex struct {
	byDigest map[string]*ImageReport
	byTag    map[string]*ImageReport
	// latest holds, for each report identity (its first digest, else its first tag), the
	// newest report of that identity.
	latest map[string]*ImageReport
	users  map[*ImageReport][]ImageUse
	// findingsOnly is set when some report comes from a source that lists only images with
	// findings.
	findingsOnly bool
}

func repository(r ImageRef) string { return r.Registry + "/" + r.Repository }

func digestKey(r ImageRef) string { return repository(r) + "@" + r.Digest }

func tagKey(r ImageRef) string {
	tag := r.Tag
	if tag == "" {
		tag = "latest"
	}
	return repository(r) + ":" + tag
}

// identity is the key that says two reports scanned the same image.
func identity(r *ImageReport) string {
	for _, im := range r.Images {
		if im.Digest != "" {
			return digestKey(im)
		}
	}
	if len(r.Images) > 0 {
		return tagKey(r.Images[0])
	}
	return "file:" + r.File
}

// newer reports whether a is newer than b; a later report in scan order wins a tie.
func newer(a, b *ImageReport) bool { return !a.Created.Before(b.Created) }

func newReportIndex(workloads []*Workload, others []Subject) *reportIndex {
	ri := &reportIndex{byDigest: map[string]*ImageReport{}, byTag: map[string]*ImageReport{},
		latest: map[string]*ImageReport{}, users: map[*ImageReport][]ImageUse{}}
	keep := func(m map[string]*ImageReport, k string, r *ImageReport) {
		if old, ok := m[k]; !ok || newer(r, old) {
			m[k] = r
		}
	}
	n := 0
	for _, s := range others {
		r, ok := s.(*ImageReport)
		if !ok {
			continue
		}
		n++
		ri.findingsOnly = ri.findingsOnly || r.FindingsOnly
		keep(ri.latest, identity(r), r)
		for _, im := range r.Images {
			if im.Digest != "" {
				keep(ri.byDigest, digestKey(im), r)
			}
			if im.Tag != "" || im.Digest == "" {
				keep(ri.byTag, tagKey(im), r)
			}
		}
	}
	if n == 0 {
		return ri
	}
	for _, w := range workloads {
		for _, c := range w.Containers() {
			if r := ri.reportFor(c.ImageRef); r != nil {
				ri.users[r] = append(ri.users[r], ImageUse{Workload: w, Container: c.Name})
			}
		}
	}
	return ri
}

func (ri *reportIndex) reportFor(ref ImageRef) *ImageReport {
	if !ref.Valid {
		return nil
	}
	if ref.Digest != "" {
		if r := ri.byDigest[digestKey(ref)]; r != nil {
			return r
		}
	}
	return ri.byTag[tagKey(ref)]
}

// ImageReportFor returns the newest scan report of an image (by repository and digest, else
// repository and tag), or nil.
func (ix *Index) ImageReportFor(ref ImageRef) *ImageReport {
	if ix.reports == nil {
		return nil
	}
	return ix.reports.reportFor(ref)
}

// ImageUsers returns the containers of the scan's workloads whose image the report matches,
// in scan order.
func (ix *Index) ImageUsers(r *ImageReport) []ImageUse {
	if ix.reports == nil {
		return nil
	}
	return ix.reports.users[r]
}

// FindingsOnlyReports reports whether some report of the scan comes from a source that lists
// only the images it found vulnerabilities in (Defender for Cloud): then an image without a
// report may have been scanned and found clean.
func (ix *Index) FindingsOnlyReports() bool {
	return ix.reports != nil && ix.reports.findingsOnly
}

// Superseded reports whether a newer report of the same image (same digest, or same tag when
// the reports give no digest) is in the scan: only the newest report of an image counts.
func (ix *Index) Superseded(r *ImageReport) bool {
	if ix.reports == nil {
		return false
	}
	l := ix.reports.latest[identity(r)]
	return l != nil && l != r
}
