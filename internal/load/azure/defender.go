package azure

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

// Defender for Cloud publishes its assessments and their sub-assessments to Azure Resource
// Graph's securityresources table, readable with the Security Reader (or Reader) role.
//
// The container image vulnerability assessments powered by Microsoft Defender Vulnerability
// Management (MDVM) are sub-assessments, one per vulnerability of an image, of two
// recommendations (assessment keys from the Defender for Cloud recommendations reference,
// learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-container, and the
// built-in policy "Azure registry container images should have vulnerabilities resolved"):
//   - registryImagesKey, "Azure registry container images should have vulnerabilities
//     resolved (powered by MDVM)", on each registry;
//   - runningImagesKey, "Azure running container images should have vulnerabilities resolved
//     (powered by MDVM)", on each AKS cluster, for the images its containers run.
//
// Their shape (properties.additionalData with assessedResourceType
// AzureContainerRegistryVulnerability, artifactDetails, vulnerabilityDetails,
// softwareDetails; properties.status.code) is documented in "Container vulnerability
// assessments REST API", learn.microsoft.com/azure/defender-for-cloud/subassessment-rest-api.
const (
	registryImagesKey = "c0b7cfc6-3172-465a-b378-53c7ff2cc0d5"
	runningImagesKey  = "c609cf0f-71ab-41e9-a3c6-9a1f7fe1b8d5"
	// vulnerabilityType is the documented assessedResourceType of MDVM sub-assessments.
	vulnerabilityType = "AzureContainerRegistryVulnerability"
)

// clustersScope is the filter of a fleet's queries: every assessment of a managed cluster.
const clustersScope = "tolower(id) contains '/providers/microsoft.containerservice/managedclusters/'"

// recommendationsQuery lists the assessments that pass filter.
// securityRole is what lets an identity read Defender for Cloud's assessments through Resource Graph.
const securityRole = "Security Reader or Reader role (Microsoft.Security/assessments/read)"

func recommendationsQuery(filter string) string {
	return "securityresources | where type =~ 'microsoft.security/assessments' | where " + filter +
		" | project id, name, properties | order by id asc"
}

// imagesQuery lists the image vulnerability sub-assessments that pass filter (over id,
// assessmentKey and properties).
func imagesQuery(filter string) string {
	return "securityresources | where type =~ 'microsoft.security/assessments/subassessments'" +
		" | extend assessmentKey = tolower(extract(@'(?i)providers/Microsoft.Security/assessments/([^/]*)', 1, id))" +
		" | where " + filter + " | project id, assessmentKey, properties | order by id asc"
}

// onResource is the filter of the assessments of one resource (lower-cased ARM ID).
func onResource(id string) string {
	return "tolower(id) startswith '" + id + "/providers/microsoft.security/assessments/'"
}

// registryImages is the filter of the registry-images sub-assessments of images of these
// registries (login servers).
func registryImages(hosts []string) string {
	quoted := make([]string, len(hosts))
	for i, h := range hosts {
		quoted[i] = "'" + strings.ToLower(h) + "'"
	}
	return "(assessmentKey == '" + registryImagesKey + "' and tolower(tostring(properties.additionalData.artifactDetails.registryHost)) in (" +
		strings.Join(quoted, ", ") + "))"
}

// unquotable reports whether a value cannot go into a query's quoted string.
func unquotable(values ...string) bool {
	return strings.ContainsAny(strings.Join(values, ""), `'"\`)
}

// defender reads Defender for Cloud's view of the cluster from Azure Resource Graph: its
// security recommendations (the assessments of the cluster) and the vulnerability
// assessments of the images it runs (the running-images recommendation of the cluster) and of
// the registries it pulls from (registryHosts); addDefender makes them subjects.
func (r *reader) defender(ctx context.Context, registryHosts []string) {
	if unquotable(append([]string{r.clusterID}, registryHosts...)...) {
		r.addDefender(nil, errQuote, nil, errQuote)
		return
	}
	cluster := strings.ToLower(r.clusterID)
	recs, recErr := r.c.graph(ctx, recommendationsQuery(onResource(cluster)), []string{r.id.SubscriptionID}, 0)
	filter := "(assessmentKey == '" + runningImagesKey + "' and " + onResource(cluster) + ")"
	if len(registryHosts) > 0 {
		filter += " or " + registryImages(registryHosts)
	}
	// Registries are often in another subscription than the cluster: no subscription scope.
	images, imagesErr := r.c.graph(ctx, imagesQuery(filter), nil, 0)
	r.addDefender(recs, recErr, images, imagesErr)
}

var errQuote = errors.New("the cluster ID or a registry host holds a quote")

// fleetDefender is what a fleet's two Defender queries returned, by lower-cased cluster ID.
type fleetDefender struct {
	recs, images      map[string][]map[string]any
	recErr, imagesErr error
}

// byScope groups rows by the resource their assessment is on (lower-cased).
func byScope(rows []map[string]any) map[string][]map[string]any {
	out := map[string][]map[string]any{}
	for _, row := range rows {
		id, _ := row["id"].(string)
		if scope, _, ok := strings.Cut(strings.ToLower(id), "/providers/microsoft.security/assessments/"); ok {
			out[scope] = append(out[scope], row)
		}
	}
	return out
}

// fleetDefender reads the recommendations and running-image assessments of every cluster of
// the fleet's subscriptions in two paged queries, once: a query per cluster would spend
// Resource Graph's quota (15 queries per 5 seconds by default) on a fleet.
func (f *Fleet) fleetDefender(ctx context.Context) *fleetDefender {
	_, v, _ := f.defender.get(func() (string, any, error) {
		d := &fleetDefender{}
		var recs, images []map[string]any
		recs, d.recErr = f.c.graph(ctx, recommendationsQuery(clustersScope), f.subs, fleetPageSize)
		images, d.imagesErr = f.c.graph(ctx, imagesQuery("assessmentKey == '"+runningImagesKey+"' and "+clustersScope), f.subs, fleetPageSize)
		d.recs, d.images = byScope(recs), byScope(images)
		return "", d, nil
	})
	return v.(*fleetDefender)
}

// fleetDefender adds the cluster's part of the fleet's Defender read, and the registry-images
// assessments of the registries it pulls from (one query, when registryHosts are known).
func (r *reader) fleetDefender(ctx context.Context, f *Fleet, registryHosts []string) {
	d := f.fleetDefender(ctx)
	cluster := strings.ToLower(r.clusterID)
	images, imagesErr := d.images[cluster], d.imagesErr
	if len(registryHosts) > 0 && imagesErr == nil {
		if unquotable(registryHosts...) {
			imagesErr = errQuote
		} else {
			more, err := r.c.graph(ctx, imagesQuery(registryImages(registryHosts)), nil, 0)
			images, imagesErr = append(images, more...), err
		}
	}
	r.addDefender(d.recs[cluster], d.recErr, images, imagesErr)
}

// addDefender makes subjects of what Resource Graph returned for the cluster: the image
// reports of its vulnerability sub-assessments, joined to the workloads that run the images
// as Trivy and Grype reports are, and one subject of its recommendations. What could not be
// read is an error entry, and the recommendations' subject then says they are unknown.
func (r *reader) addDefender(recs []map[string]any, recErr error, images []map[string]any, imagesErr error) {
	src := r.clusterID + "/providers/Microsoft.Security/assessments"
	in := subject.Input{Kind: subject.InputARM, Source: src, Objects: 1}
	rec := &subject.DefenderRecommendations{ClusterID: r.clusterID, Name: r.id.Name}
	r.scan.Others = append(r.scan.Others, rec)
	if recErr == nil {
		data, err := json.Marshal(recs)
		if err == nil {
			var got *subject.DefenderRecommendations
			if got, err = DecodeRecommendations(r.clusterID, data); err == nil {
				*rec = *got
			}
		}
		recErr = err
	}
	if recErr != nil {
		rec.Error = describe(recErr)
		r.failRefused(src, "reading Defender for Cloud's recommendations for the cluster (Azure Resource Graph securityresources)", securityRole, recErr)
	}
	subSrc := src + "/" + runningImagesKey + "/subAssessments"
	var reports []*subject.ImageReport
	skipped := 0
	if imagesErr == nil {
		var data []byte
		if data, imagesErr = json.Marshal(images); imagesErr == nil {
			reports, skipped, imagesErr = DecodeSubAssessments(data)
		}
	}
	if imagesErr != nil {
		r.failRefused(subSrc, "reading Defender for Cloud's image vulnerability assessments (Azure Resource Graph securityresources)", securityRole, imagesErr)
	}
	if skipped > 0 {
		r.scan.Errors = append(r.scan.Errors, subject.LoadError{Source: subSrc,
			Message: fmt.Sprintf("%d Defender for Cloud sub-assessments are not container image vulnerabilities of the documented shape (assessedResourceType %s with artifactDetails) and were not read", skipped, vulnerabilityType)})
	}
	for _, rep := range reports {
		r.scan.Others = append(r.scan.Others, rep)
	}
	in.Objects += len(reports)
	if len(reports) > 0 {
		r.scan.Evidence[catalog.Scan] = true
	}
	r.scan.Inputs = append(r.scan.Inputs, in)
}

// assessmentRow is a row of securityresources of type microsoft.security/assessments, in the
// shape of the Assessments REST API (api-version 2020-01-01): properties.displayName,
// properties.status.code, properties.metadata.severity.
type assessmentRow struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Properties struct {
		DisplayName string `json:"displayName"`
		Status      struct {
			Code string `json:"code"`
		} `json:"status"`
		Metadata struct {
			DisplayName string `json:"displayName"`
			Severity    string `json:"severity"`
		} `json:"metadata"`
	} `json:"properties"`
}

// DecodeRecommendations reads the rows Resource Graph returned for the assessments of a
// cluster (a JSON array) into its recommendations. Rows are kept in ID order.
func DecodeRecommendations(clusterID string, data []byte) (*subject.DefenderRecommendations, error) {
	var rows []assessmentRow
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("the assessments are not the documented shape: %w", err)
	}
	name := clusterID[strings.LastIndex(clusterID, "/")+1:]
	out := &subject.DefenderRecommendations{ClusterID: clusterID, Name: name, Read: true}
	for _, row := range rows {
		if row.ID == "" || row.Properties.Status.Code == "" {
			return nil, fmt.Errorf("an assessment has no id or no properties.status.code (%q)", row.ID)
		}
		display := row.Properties.DisplayName
		if display == "" {
			display = row.Properties.Metadata.DisplayName
		}
		if display == "" {
			display = row.Name
		}
		if display == "" {
			display = row.ID[strings.LastIndex(row.ID, "/")+1:]
		}
		if display == "" {
			display = row.ID
		}
		out.Assessments = append(out.Assessments, subject.DefenderAssessment{ID: row.ID, Key: row.Name, DisplayName: display,
			Severity: row.Properties.Metadata.Severity, Status: row.Properties.Status.Code})
	}
	sort.SliceStable(out.Assessments, func(i, j int) bool {
		return strings.ToLower(out.Assessments[i].ID) < strings.ToLower(out.Assessments[j].ID)
	})
	return out, nil
}

// subAssessmentRow is a row of securityresources of type
// microsoft.security/assessments/subassessments, as subassessment-rest-api documents it.
type subAssessmentRow struct {
	ID         string `json:"id"`
	Properties struct {
		ID            string `json:"id"`
		TimeGenerated string `json:"timeGenerated"`
		Status        struct {
			Code     string `json:"code"`
			Severity string `json:"severity"`
		} `json:"status"`
		AdditionalData struct {
			AssessedResourceType string `json:"assessedResourceType"`
			VulnerabilityDetails struct {
				CveID    string `json:"cveId"`
				Severity string `json:"severity"`
			} `json:"vulnerabilityDetails"`
			ArtifactDetails struct {
				RegistryHost   string   `json:"registryHost"`
				RepositoryName string   `json:"repositoryName"`
				Digest         string   `json:"digest"`
				Tags           []string `json:"tags"`
			} `json:"artifactDetails"`
			SoftwareDetails struct {
				PackageName  string `json:"packageName"`
				Version      string `json:"version"`
				FixedVersion string `json:"fixedVersion"`
				FixStatus    string `json:"fixStatus"`
				Category     string `json:"category"`
			} `json:"softwareDetails"`
		} `json:"additionalData"`
	} `json:"properties"`
}

// DecodeSubAssessments reads the rows Resource Graph returned for container image
// vulnerability sub-assessments (a JSON array) into one image report per image (registry,
// repository and digest), in the order the images first appear. Unhealthy sub-assessments
// are the image's vulnerabilities; Healthy and NotApplicable ones (resolved, exempted) are
// not, but show the image was assessed. It returns how many rows are not image
// vulnerabilities of the documented shape.
func DecodeSubAssessments(data []byte) (reports []*subject.ImageReport, skipped int, err error) {
	var rows []subAssessmentRow
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &rows); err != nil {
		return nil, 0, fmt.Errorf("the sub-assessments are not the documented shape: %w", err)
	}
	byImage := map[string]*subject.ImageReport{}
	type vkey struct{ id, pkg, version string }
	seen := map[*subject.ImageReport]map[vkey]bool{}
	for _, row := range rows {
		ad := row.Properties.AdditionalData
		art := ad.ArtifactDetails
		if ad.AssessedResourceType != vulnerabilityType || art.RegistryHost == "" || art.RepositoryName == "" || (art.Digest == "" && len(art.Tags) == 0) {
			skipped++
			continue
		}
		repo := strings.ToLower(art.RegistryHost) + "/" + art.RepositoryName
		artifact := repo + "@" + art.Digest
		if art.Digest == "" {
			artifact = repo + ":" + art.Tags[0]
		}
		images := refs(repo, art.Digest, art.Tags)
		if len(images) == 0 {
			skipped++
			continue
		}
		key := strings.ToLower(artifact)
		rep := byImage[key]
		if rep == nil {
			file := row.ID
			if i := strings.Index(strings.ToLower(file), "/subassessments/"); i >= 0 {
				file = file[:i]
			}
			rep = &subject.ImageReport{File: file, Scanner: subject.ScannerDefender, FindingsOnly: true, Artifact: artifact, IsImage: true, Images: images}
			byImage[key] = rep
			seen[rep] = map[vkey]bool{}
			reports = append(reports, rep)
		}
		if t, err := time.Parse(time.RFC3339Nano, row.Properties.TimeGenerated); err == nil && t.After(rep.Created) {
			rep.Created = t
		}
		if !strings.EqualFold(row.Properties.Status.Code, "Unhealthy") {
			continue
		}
		sw := ad.SoftwareDetails
		v := subject.Vulnerability{ID: ad.VulnerabilityDetails.CveID, Package: sw.PackageName, Version: sw.Version,
			Severity: strings.ToUpper(strings.TrimSpace(ad.VulnerabilityDetails.Severity)), OSPackage: strings.EqualFold(sw.Category, "OS")}
		if v.ID == "" {
			v.ID = row.Properties.ID
		}
		if v.Severity == "" {
			v.Severity = strings.ToUpper(strings.TrimSpace(row.Properties.Status.Severity))
		}
		if v.Severity == "" {
			v.Severity = "UNKNOWN"
		}
		if strings.EqualFold(sw.FixStatus, "FixAvailable") {
			v.FixedVersion = sw.FixedVersion
			if v.FixedVersion == "" {
				v.FixedVersion = "a fixed version"
			}
		}
		k := vkey{v.ID, v.Package, v.Version}
		if seen[rep][k] {
			continue
		}
		seen[rep][k] = true
		rep.Vulnerabilities = append(rep.Vulnerabilities, v)
	}
	return reports, skipped, nil
}

// refs are the valid references of an image: by digest and by each tag.
func refs(repo, digest string, tags []string) []subject.ImageRef {
	var out []subject.ImageRef
	seen := map[subject.ImageRef]bool{}
	add := func(s string) {
		if ref := subject.ParseImage(s); ref.Valid && !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	if digest != "" {
		add(repo + "@" + digest)
	}
	for _, t := range tags {
		add(repo + ":" + t)
	}
	return out
}
