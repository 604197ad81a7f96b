package azuretest

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

// defenderRows are the securityresources rows Resource Graph holds for Defender for Cloud
// (testdata/defender/README.md says where their shapes are documented).
//
//go:embed testdata/defender/*.json
var defenderRows embed.FS

// Defender for Cloud's assessment keys of the image vulnerability assessments (MDVM).
const (
	RegistryImagesKey = "c0b7cfc6-3172-465a-b378-53c7ff2cc0d5"
	RunningImagesKey  = "c609cf0f-71ab-41e9-a3c6-9a1f7fe1b8d5"
)

// securityRows answers a query of the securityresources table as Resource Graph would for the
// query shapes the reader sends: the assessments of a resource (tolower(id) startswith
// '<resource>/providers/microsoft.security/assessments/') or of every cluster of the
// subscriptions (tolower(id) contains '/providers/microsoft.containerservice/managedclusters/'),
// and the sub-assessments of the running-images assessment of a cluster or of the clusters
// (same filters) or of the registry-images assessment of registries by host ("...
// registryHost)) in ('<host>', ...)"). Rows keep the columns the query projects.
func (s *Server) securityRows(q string, subscriptions []string) ([]map[string]any, error) {
	sub := strings.Contains(q, "'microsoft.security/assessments/subassessments'")
	file := "testdata/defender/assessments.json"
	if sub {
		file = "testdata/defender/subassessments.json"
	}
	data, err := defenderRows.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var all []map[string]any
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var rows []map[string]any
	for _, row := range all {
		id, _ := row["id"].(string)
		lower := strings.ToLower(id)
		scope, rest, ok := strings.Cut(lower, "/providers/microsoft.security/assessments/")
		if !ok {
			return nil, fmt.Errorf("%s: row %s is not an assessment", file, id)
		}
		key, _, _ := strings.Cut(rest, "/")
		onScope := strings.Contains(q, "startswith '"+scope+"/providers/microsoft.security/assessments/'") ||
			(strings.Contains(q, "contains '"+clusters+"'") && strings.Contains(scope, clusters) && inSubscriptions(scope, subscriptions))
		if !sub {
			if onScope {
				rows = append(rows, project(row, "id", "name", "properties"))
			}
			continue
		}
		switch {
		case key == RunningImagesKey && onScope && strings.Contains(q, "assessmentkey == '"+RunningImagesKey+"'"):
		case key == RegistryImagesKey && strings.Contains(q, "assessmentkey == '"+RegistryImagesKey+"'") && strings.Contains(q, "'"+registryHostOf(row)+"'"):
		default:
			continue
		}
		p := project(row, "id", "properties")
		p["assessmentKey"] = key
		rows = append(rows, p)
	}
	return rows, nil
}

// clusters is what the IDs of managed clusters hold, lower-cased.
const clusters = "/providers/microsoft.containerservice/managedclusters/"

// inSubscriptions reports whether a lower-cased resource ID is in one of the subscriptions
// (any, when none are given: all the credential can see).
func inSubscriptions(id string, subscriptions []string) bool {
	if len(subscriptions) == 0 {
		return true
	}
	for _, sub := range subscriptions {
		if strings.HasPrefix(id, "/subscriptions/"+strings.ToLower(sub)+"/") {
			return true
		}
	}
	return false
}

// project keeps the named columns of a row.
func project(row map[string]any, cols ...string) map[string]any {
	out := map[string]any{}
	for _, c := range cols {
		if v, ok := row[c]; ok {
			out[c] = v
		}
	}
	return out
}

// registryHostOf is properties.additionalData.artifactDetails.registryHost, lower-cased.
func registryHostOf(row map[string]any) string {
	v := any(row)
	for _, k := range []string{"properties", "additionalData", "artifactDetails", "registryHost"} {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	h, _ := v.(string)
	if h == "" {
		return "\x00"
	}
	return strings.ToLower(h)
}
