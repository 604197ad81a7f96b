// Package azuretest replays Azure Resource Manager on an HTTPS server on loopback, for the
// tests of the Azure reader and of the CLI: the real SDK clients talk to it through a custom
// cloud configuration and the server's certificate. Its answers are REST documents in the
// shapes the ARM API documents (testdata/), the Kubernetes versions of the region are the
// ARM loader's own fixture, and faults (429 with Retry-After, 403) are injected per path.
package azuretest

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
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

// The resources the server knows.
const (
	Subscription = "00000000-0000-0000-0000-000000000001"
	ClusterID    = "/subscriptions/" + Subscription + "/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop"
	// LockedClusterID is a cluster Resource Graph lists but ARM refuses to show (403).
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
	forbid   map[string]bool
	fail     map[string]int
	// Clusters are what Resource Graph lists, one per page.
	Clusters []string
}

// NewServer starts the server; Close stops it.
func NewServer() *Server {
	s := &Server{throttle: map[string]int{}, forbid: map[string]bool{}, fail: map[string]int{}, Clusters: []string{ClusterID, LockedClusterID}}
	s.forbid[strings.ToLower(LockedClusterID)] = true
	s.Server = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	return s
}

// Throttle makes the next n requests to an ARM path answer 429 with Retry-After: 1.
func (s *Server) Throttle(path string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle[strings.ToLower(path)] = n
}

// Forbid makes an ARM path answer 403 AuthorizationFailed.
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
	path := strings.ToLower(strings.TrimSuffix(r.URL.Path, "/"))
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	throttled := s.throttle[path] > 0
	if throttled {
		s.throttle[path]--
	}
	forbidden := s.forbid[path]
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
	}
	name, ok := files[path]
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
	all, err := Fixtures()
	if err != nil {
		armError(w, http.StatusInternalServerError, "InternalError", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(bytes.ReplaceAll(all[name], []byte("{{server}}"), []byte(s.URL)))
}

// graph answers Resource Graph queries: clusters by API server FQDN or node resource group,
// registries by login server, and the clusters of the subscriptions one per page, with $skipToken.
func (s *Server) graph(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Query   string `json:"query"`
		Options struct {
			SkipToken string `json:"$skipToken"`
		} `json:"options"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		armError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	q := strings.ToLower(req.Query)
	var rows []map[string]any
	token := ""
	switch {
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
	default:
		s.mu.Lock()
		clusters := append([]string(nil), s.Clusters...)
		s.mu.Unlock()
		page := 0
		fmt.Sscanf(req.Options.SkipToken, "page%d", &page)
		if page < len(clusters) {
			rows = append(rows, map[string]any{"id": clusters[page]})
		}
		if page+1 < len(clusters) {
			token = fmt.Sprintf("page%d", page+1)
		}
	}
	resp := map[string]any{"totalRecords": len(rows), "count": len(rows), "resultTruncated": "false", "data": rows, "facets": []any{}}
	if token != "" {
		resp["$skipToken"] = token
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}
