package azuretest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// Subscription2 is the second subscription of generated fleets (AddClusters).
const Subscription2 = "00000000-0000-0000-0000-000000000002"

// isVersions reports whether a lower-cased path is the Kubernetes versions list of a region
// in a subscription the server knows (ManagedClusters_ListKubernetesVersions): every region
// answers with the ARM loader's get-versions fixture.
func isVersions(path string) bool {
	for _, sub := range []string{Subscription, Subscription2} {
		prefix := "/subscriptions/" + sub + "/providers/microsoft.containerservice/locations/"
		if rest, ok := strings.CutPrefix(path, prefix); ok {
			loc, tail, _ := strings.Cut(rest, "/")
			return loc != "" && tail == "kubernetesversions"
		}
	}
	return false
}

// graphRequest is the body of Resources (POST /providers/Microsoft.ResourceGraph/resources)
// as the REST API documents it.
type graphRequest struct {
	Subscriptions []string `json:"subscriptions"`
	Query         string   `json:"query"`
	Options       struct {
		SkipToken    string `json:"$skipToken"`
		Top          int    `json:"$top"`
		ResultFormat string `json:"resultFormat"`
	} `json:"options"`
}

// graph answers Resource Graph queries in the shapes the reader sends them: clusters by API
// server FQDN, registries by login server, Defender for Cloud's assessments and
// sub-assessments (securityRows), the IDs of the subscriptions' clusters, and the
// clusters with their ARM columns (type lower-cased, as Resource Graph stores it). Rows are
// paged with $skipToken; every answer carries the documented throttling headers.
func (s *Server) graph(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req graphRequest
	if err := json.Unmarshal(body, &req); err != nil {
		armError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	s.mu.Lock()
	throttled := s.throttlePage[req.Options.SkipToken] > 0
	if throttled {
		s.throttlePage[req.Options.SkipToken]--
	}
	w.Header().Set("x-ms-user-quota-remaining", fmt.Sprint(s.QuotaRemaining))
	w.Header().Set("x-ms-user-quota-resets-after", s.QuotaResetsAfter)
	s.mu.Unlock()
	if throttled {
		w.Header().Set("Retry-After", "1")
		armError(w, http.StatusTooManyRequests, "RateLimiting", "Please provide below info when asking for support: timestamp, correlationId")
		return
	}
	q := strings.ToLower(req.Query)
	rows, extra := s.extrasQuery(q, req.Subscriptions)
	switch {
	case strings.HasPrefix(q, "securityresources"):
		var err error
		if rows, err = s.securityRows(q, req.Subscriptions); err != nil {
			armError(w, http.StatusInternalServerError, "InternalError", err.Error())
			return
		}
	case extra:
	case strings.Contains(q, "microsoft.containerregistry/registries"):
		if strings.Contains(q, RegistryHost) {
			rows = append(rows, map[string]any{"id": RegistryID})
		}
	case strings.Contains(q, "noderesourcegroup"):
		if strings.Contains(q, "'"+strings.ToLower(NodeResourceGroup)+"'") {
			rows = append(rows, map[string]any{"id": ClusterID})
		}
	case strings.Contains(q, "fqdn"):
		if strings.Contains(q, "'"+FQDN+"'") {
			rows = append(rows, map[string]any{"id": ClusterID})
		}
	case strings.Contains(q, "microsoft.containerservice/managedclusters") && strings.Contains(q, "properties"):
		for _, id := range s.clusterIDs(req.Subscriptions) {
			row, err := s.clusterRow(id)
			if err != nil {
				armError(w, http.StatusInternalServerError, "InternalError", err.Error())
				return
			}
			rows = append(rows, row)
		}
	case strings.Contains(q, "microsoft.containerservice/managedclusters"):
		for _, id := range s.clusterIDs(req.Subscriptions) {
			rows = append(rows, map[string]any{"id": id})
		}
	default:
		armError(w, http.StatusBadRequest, "BadRequest", "the replay server does not know this query: "+req.Query)
		return
	}
	size := req.Options.Top
	if size <= 0 {
		size = 100
	}
	size = min(size, 1000)
	if s.PageSize > 0 {
		size = min(size, s.PageSize)
	}
	start := 0
	if req.Options.SkipToken != "" {
		if _, err := fmt.Sscanf(req.Options.SkipToken, "page-from-%d", &start); err != nil || start < 0 || start > len(rows) {
			armError(w, http.StatusBadRequest, "InvalidSkipToken", "bad $skipToken")
			return
		}
	}
	end := min(start+size, len(rows))
	page := rows[start:end]
	resp := map[string]any{"totalRecords": len(rows), "count": len(page), "resultTruncated": "false", "data": page, "facets": []any{}}
	if end < len(rows) {
		resp["$skipToken"] = fmt.Sprintf("page-from-%d", end)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// clusterIDs are the listed clusters of the subscriptions (all when none), sorted by ID as
// the reader's queries order them.
func (s *Server) clusterIDs(subscriptions []string) []string {
	s.mu.Lock()
	all := append([]string(nil), s.Clusters...)
	s.mu.Unlock()
	var out []string
	for _, id := range all {
		if len(subscriptions) == 0 {
			out = append(out, id)
			continue
		}
		for _, sub := range subscriptions {
			if strings.HasPrefix(strings.ToLower(id), "/subscriptions/"+strings.ToLower(sub)+"/") {
				out = append(out, id)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

// clusterRow is a cluster as Resource Graph's resources table holds it, with the columns the
// reader projects: the ARM document's, the type lower-cased.
func (s *Server) clusterRow(id string) (map[string]any, error) {
	s.mu.Lock()
	doc, ok := s.clusters[strings.ToLower(id)]
	s.mu.Unlock()
	if !ok && strings.EqualFold(id, ClusterID) {
		all, err := Fixtures()
		if err != nil {
			return nil, err
		}
		doc, ok = all["managedcluster.json"], true
	}
	if !ok {
		return nil, fmt.Errorf("no document for cluster %s", id)
	}
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, fmt.Errorf("cluster %s: %w", id, err)
	}
	row := map[string]any{}
	for _, k := range []string{"id", "name", "type", "location", "tags", "sku", "identity", "properties"} {
		if v, ok := m[k]; ok {
			row[k] = v
		}
	}
	if t, ok := row["type"].(string); ok {
		row["type"] = strings.ToLower(t)
	}
	return row, nil
}
