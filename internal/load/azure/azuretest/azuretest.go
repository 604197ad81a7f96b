// Package azuretest replays Azure Resource Manager on an HTTPS server on loopback, for the
// tests of the Azure reader and of the CLI: the real SDK clients talk to it through a custom
// cloud configuration and the server's certificate. Its answers are REST documents in the
// shapes the ARM API documents (testdata/), the Kubernetes versions of the region are the
// ARM loader's own fixture, and faults (429 with Retry-After, 403) are injected per path.
// Resource Graph answers the query shapes the reader sends (graph.go), and a seeded
// generator serves fleets of clusters (fleet.go); Requests counts what the clients sent.
package azuretest

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// policyStatesPath is the path, under a resource, of its latest policy states.
const policyStatesPath = "/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults"

// The resources the server knows.
const (
	Subscription = "00000000-0000-0000-0000-000000000001"
	ClusterID    = "/subscriptions/" + Subscription + "/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop"
	// LockedClusterID is a cluster Resource Graph lists (with its properties) but ARM refuses
	// every read of (403): the cluster and everything under it.
	LockedClusterID = "/subscriptions/" + Subscription + "/resourceGroups/rg-team/providers/Microsoft.ContainerService/managedClusters/aks-locked"
	RegistryID      = "/subscriptions/" + Subscription + "/resourceGroups/rg-shop/providers/Microsoft.ContainerRegistry/registries/shopacr"
	// FQDN is the API server host name of ClusterID, as its kube context names it.
	FQDN         = "aks-shop-dns-4b1c2d3e.hcp.westeurope.azmk8s.io"
	RegistryHost = "shopacr.azurecr.io"
	// NodeResourceGroup is ClusterID's properties.nodeResourceGroup, which its Nodes carry
	// as the kubernetes.azure.com/cluster label and in their providerID.
	NodeResourceGroup = "MC_rg-shop_aks-shop_westeurope"
)

//go:embed testdata/*.json
var fixtures embed.FS

// lockedCluster is the ARM document of LockedClusterID, which only Resource Graph shows.
//
//go:embed testdata/fleet/managedcluster-locked.json
var lockedCluster []byte

// Fixtures returns the REST documents the server replays, by file name, as files a user
// could have saved (for comparing a scan of files with a scan through the API).
func Fixtures() (map[string][]byte, error) {
	entries, err := fixtures.ReadDir("testdata")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		data, err := fixtures.ReadFile("testdata/" + e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = data
	}
	versions, err := versionsFixture()
	if err != nil {
		return nil, err
	}
	out["kubernetesversions.json"] = versions
	return out, nil
}

// versionsFixture is the ARM loader's get-versions fixture: az aks get-versions prints the
// REST body of ManagedClusters.ListKubernetesVersions as it is.
func versionsFixture() ([]byte, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return nil, fmt.Errorf("cannot locate the package's sources")
	}
	return os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "arm", "testdata", "az", "get-versions.json"))
}

// Server is the replaying ARM endpoint.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	requests []string
	throttle map[string]int
	// throttlePage throttles Resource Graph queries by the $skipToken they carry.
	throttlePage map[string]int
	forbid       map[string]bool
	// fail answers a path with a status (Fail).
	fail map[string]int
	// docs are generated documents by lower-cased path; clusters the ARM documents of the
	// clusters Resource Graph returns with their properties, by lower-cased ID.
	docs     map[string][]byte
	clusters map[string][]byte
	// extraRows are the Resource Graph rows of the extras queries, by what they ask for
	// (extras.go).
	extraRows map[string][]map[string]any
	// Clusters are what Resource Graph lists.
	Clusters []string
	// PageSize caps the rows of a Resource Graph page, below the query's $top (default 100,
	// at most 1000, as Resource Graph documents); NewServer sets 1, so that two clusters
	// take two pages.
	PageSize int
	// QuotaRemaining and QuotaResetsAfter are the x-ms-user-quota-remaining and
	// x-ms-user-quota-resets-after headers of every Resource Graph answer.
	QuotaRemaining   int
	QuotaResetsAfter string
}

// NewServer starts the server; Close stops it.
func NewServer() *Server {
	s := &Server{throttle: map[string]int{}, throttlePage: map[string]int{}, forbid: map[string]bool{},
		fail: map[string]int{}, docs: map[string][]byte{}, clusters: map[string][]byte{},
		Clusters: []string{ClusterID, LockedClusterID}, PageSize: 1, QuotaRemaining: 14, QuotaResetsAfter: "00:00:05"}
	s.forbid[strings.ToLower(LockedClusterID)] = true
	s.clusters[strings.ToLower(LockedClusterID)] = lockedCluster
	s.Server = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	return s
}

// Throttle makes the next n requests to an ARM path answer 429 with Retry-After: 1.
func (s *Server) Throttle(path string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle[strings.ToLower(path)] = n
}

// ThrottleQueryPage makes the next n Resource Graph queries that ask for the page of this
// $skipToken ("" is the first page) answer 429 with Retry-After: 1.
func (s *Server) ThrottleQueryPage(skipToken string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttlePage[skipToken] = n
}

// Forbid makes an ARM path, and every path under it, answer 403 AuthorizationFailed, as a
// role assignment's scope covers the resources under it.
func (s *Server) Forbid(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forbid[strings.ToLower(path)] = true
}

// Fail makes an ARM path answer status (500, 403…) with an ARM error until Fail is called
// again with status 0; the Resource Graph path is /providers/Microsoft.ResourceGraph/resources.
func (s *Server) Fail(path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status == 0 {
		delete(s.fail, strings.ToLower(path))
		return
	}
	s.fail[strings.ToLower(path)] = status
}

// Requests returns "METHOD path" of every request so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// ClientOptions point the SDK clients at the server: a cloud whose Resource Manager is the
// server, its TLS certificate trusted, and short retry delays.
func (s *Server) ClientOptions() *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: s.URL + "/",
			Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
				cloud.ResourceManager: {Audience: "https://management.core.windows.net/", Endpoint: s.URL},
			}},
		Transport: s.Client(),
		Retry:     policy.RetryOptions{MaxRetries: 3, RetryDelay: 20 * time.Millisecond, MaxRetryDelay: 5 * time.Second},
	}}
}

// Credential is a token credential for the server, which checks only that a bearer token
// is sent.
type Credential struct{}

// GetToken implements azcore.TokenCredential.
func (Credential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "test-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func armError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-ms-error-code", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// "//" is what the SDK sends for an empty parentResourcePath (Policy Assignments - List
	// For Resource); ARM reads it as "/".
	path := strings.ToLower(strings.TrimSuffix(strings.ReplaceAll(r.URL.Path, "//", "/"), "/"))
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	throttled := s.throttle[path] > 0
	if throttled {
		s.throttle[path]--
	}
	forbidden := false
	for p := range s.forbid {
		if path == p || strings.HasPrefix(path, p+"/") {
			forbidden = true
		}
	}
	failStatus := s.fail[path]
	s.mu.Unlock()

	if r.Header.Get("Authorization") != "Bearer test-token" {
		armError(w, http.StatusUnauthorized, "AuthenticationFailed", "no bearer token")
		return
	}
	if throttled {
		w.Header().Set("Retry-After", "1")
		armError(w, http.StatusTooManyRequests, "TooManyRequests", "throttled: retry after 1 second")
		return
	}
	if failStatus != 0 {
		armError(w, failStatus, strings.ReplaceAll(http.StatusText(failStatus), " ", ""), "injected fault at "+r.URL.Path)
		return
	}
	if forbidden {
		armError(w, http.StatusForbidden, "AuthorizationFailed", "the client does not have authorization to perform action over scope '"+r.URL.Path+"'")
		return
	}
	if r.Method == http.MethodPost && path == "/providers/microsoft.resourcegraph/resources" {
		s.graph(w, r)
		return
	}
	if r.Method == http.MethodPost && strings.HasSuffix(path, strings.ToLower(policyStatesPath)) && path != strings.ToLower(ClusterID+policyStatesPath) {
		// A generated cluster's states, or none.
		s.mu.Lock()
		doc, ok := s.docs[path]
		s.mu.Unlock()
		if !ok {
			armError(w, http.StatusNotFound, "ResourceNotFound", "no resource at "+r.URL.Path)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
		return
	}
	if r.Method == http.MethodPost && path == strings.ToLower(ClusterID+policyStatesPath) {
		// Policy States - List Query Results For Resource, api-version 2024-10-01
		// (learn.microsoft.com/rest/api/policyinsights/policy-states/list-query-results-for-resource):
		// testdata/policystates.json holds the non-compliant states the reader's $filter asks for.
		if !strings.Contains(r.URL.RawQuery, "NonCompliant") {
			armError(w, http.StatusBadRequest, "InvalidQuery", "the replay server answers the non-compliant states only")
			return
		}
		s.replay(w, "policystates.json")
		return
	}
	if r.Method != http.MethodGet {
		armError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method)
		return
	}
	c := strings.ToLower(ClusterID)
	sub := "/subscriptions/" + Subscription
	files := map[string]string{
		c: "managedcluster.json",
		c + "/agentpools/system/upgradeprofiles/default":                                      "poolupgrade-system.json",
		c + "/agentpools/apps/upgradeprofiles/default":                                        "poolupgrade-apps.json",
		c + "/maintenanceconfigurations":                                                      "maintenanceconfigurations.json",
		c + "/upgradeprofiles/default":                                                        "upgradeprofile.json",
		c + "/providers/microsoft.insights/diagnosticsettings":                                "diagnosticsettings.json",
		sub + "/providers/microsoft.security/pricings/containers":                             "pricing.json",
		sub + "/providers/microsoft.containerservice/locations/westeurope/kubernetesversions": "kubernetesversions.json",
		strings.ToLower(RegistryID):                                                           "registry.json",
		strings.ToLower(RegistryID) + "/replications":                                         "replications.json",
		// Policy Assignments - List For Resource, api-version 2023-04-01
		// (learn.microsoft.com/rest/api/policy/policy-assignments/list-for-resource).
		c + "/providers/microsoft.authorization/policyassignments":            "policyassignments.json",
		c + "/providers/microsoft.kubernetesconfiguration/extensions":         "extensions.json",
		c + "/providers/microsoft.kubernetesconfiguration/fluxconfigurations": "fluxconfigurations.json",
	}
	key := path
	if tok := r.URL.Query().Get("$skiptoken"); tok != "" {
		// A later page of a list whose nextLink carries $skiptoken.
		key += "?$skiptoken=" + tok
	}
	s.mu.Lock()
	doc, generated := s.docs[key]
	s.mu.Unlock()
	if generated {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(bytes.ReplaceAll(doc, []byte("{{server}}"), []byte(s.URL)))
		return
	}
	name, ok := files[path]
	if !ok && isVersions(path) {
		// Every region of the known subscriptions (generated fleets) has the same versions.
		name, ok = "kubernetesversions.json", true
	}
	if path == c+"/agentpools" {
		name, ok = "agentpools-page1.json", true
		if r.URL.Query().Get("$skiptoken") == "page2" {
			name = "agentpools-page2.json"
		}
	}
	if !ok {
		armError(w, http.StatusNotFound, "ResourceNotFound", "no resource at "+r.URL.Path)
		return
	}
	s.replay(w, name)
}

// replay answers with the fixture of that name.
func (s *Server) replay(w http.ResponseWriter, name string) {
	all, err := Fixtures()
	if err != nil {
		armError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(bytes.ReplaceAll(all[name], []byte("{{server}}"), []byte(s.URL)))
}
