// Package azure reads AKS clusters through the Azure Resource Manager API with the Azure SDK
// for Go: the managed cluster, its agent pools and their upgrade profiles, maintenance
// configurations, upgrade profile, the Kubernetes versions of its region, its diagnostic
// settings, the Defender for Containers plan of its subscription, the registries its
// images come from, and Defender for Cloud's recommendations and image vulnerability
// assessments from Resource Graph (defender.go). Each ARM answer is handed, as the JSON the
// API sent, to the ARM JSON loader (package arm): a cluster read here and the same resources
// saved as files become the same model, and so the same findings.
//
// Fleets are read through Azure Resource Graph (ReadFleet, fleet.go): one paged query returns
// every cluster with its properties and pools, and ARM is asked only for what Resource Graph
// does not hold. Throttling (429) and transient errors are retried by the SDK's retry
// policy; what cannot be read is an error entry naming the resource, never a crash.
package azure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerregistry/armcontainerregistry"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v7"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/monitor/armmonitor"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/security/armsecurity"

	"github.com/akscheck/akscheck/internal/catalog"
	armload "github.com/akscheck/akscheck/internal/load/arm"
	"github.com/akscheck/akscheck/internal/subject"
)

// Options tune the Azure reader.
type Options struct {
	// Credential authenticates every request; nil means azidentity.DefaultAzureCredential
	// (environment, workload identity, managed identity, Azure CLI login…).
	Credential azcore.TokenCredential
	// ClientOptions configure the SDK clients (cloud, transport, retries); nil means the
	// public cloud with the retry policy below.
	ClientOptions *arm.ClientOptions
}

// Client reads clusters through ARM.
type Client struct {
	cred azcore.TokenCredential
	opts *arm.ClientOptions
}

// New builds a client, with DefaultAzureCredential unless opts names a credential.
func New(opts Options) (*Client, error) {
	co := opts.ClientOptions
	if co == nil {
		co = &arm.ClientOptions{}
	}
	if co.Retry.MaxRetries == 0 {
		// The SDK retries 408, 429, 500, 502, 503 and 504 and honours Retry-After; a
		// fleet scan meets throttling, so allow more tries than the default three.
		co.Retry = policy.RetryOptions{MaxRetries: 5, RetryDelay: time.Second, MaxRetryDelay: 60 * time.Second}
	}
	if co.Telemetry.ApplicationID == "" {
		co.Telemetry.ApplicationID = "akscheck"
	}
	cred := opts.Credential
	if cred == nil {
		c, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{ClientOptions: co.ClientOptions})
		if err != nil {
			return nil, fmt.Errorf("azure credential: %w", err)
		}
		cred = c
	}
	return &Client{cred: cred, opts: co}, nil
}

const clusterType = "microsoft.containerservice/managedclusters"

// graph runs a Resource Graph query over the subscriptions (all the credential can see when
// none), page by page (top rows a page; 0 leaves Resource Graph's default), and returns the
// rows. Throttling (429 with Retry-After) is retried by the SDK's retry policy; between
// pages, an exhausted quota (x-ms-user-quota-remaining: 0) waits until it resets
// (x-ms-user-quota-resets-after), as Resource Graph's guidance for throttled requests asks.
func (c *Client) graph(ctx context.Context, query string, subscriptions []string, top int32) ([]map[string]any, error) {
	gc, err := armresourcegraph.NewClient(c.cred, c.opts)
	if err != nil {
		return nil, err
	}
	req := armresourcegraph.QueryRequest{Query: to.Ptr(query),
		Options: &armresourcegraph.QueryRequestOptions{ResultFormat: to.Ptr(armresourcegraph.ResultFormatObjectArray)}}
	if top > 0 {
		req.Options.Top = to.Ptr(top)
	}
	for _, s := range subscriptions {
		req.Subscriptions = append(req.Subscriptions, to.Ptr(s))
	}
	var rows []map[string]any
	for page := 0; ; page++ {
		var raw *http.Response
		resp, err := gc.Resources(policy.WithCaptureResponse(ctx, &raw), req, nil)
		if err != nil {
			return nil, &graphPageError{page: page + 1, err: err}
		}
		data, _ := resp.Data.([]any)
		for _, d := range data {
			if row, ok := d.(map[string]any); ok {
				rows = append(rows, row)
			}
		}
		more := resp.SkipToken != nil && *resp.SkipToken != ""
		if !more && resp.ResultTruncated != nil && *resp.ResultTruncated == armresourcegraph.ResultTruncatedTrue {
			return nil, fmt.Errorf("querying Azure Resource Graph (page %d): the results were truncated and cannot be paged", page+1)
		}
		if !more {
			return rows, nil
		}
		if wait := quotaWait(raw, c.opts.Retry.MaxRetryDelay); wait > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
		}
		req.Options.SkipToken = resp.SkipToken
	}
}

// quotaWait is how long to wait before the next Resource Graph query: until the quota resets
// when none is left, at most limit (0: one minute); 0 when quota remains or the headers are
// absent.
func quotaWait(resp *http.Response, limit time.Duration) time.Duration {
	if resp == nil || strings.TrimSpace(resp.Header.Get("x-ms-user-quota-remaining")) != "0" {
		return 0
	}
	var h, m, s int
	if _, err := fmt.Sscanf(resp.Header.Get("x-ms-user-quota-resets-after"), "%d:%d:%d", &h, &m, &s); err != nil {
		return 0
	}
	if limit <= 0 {
		limit = time.Minute
	}
	return min(time.Duration(h)*time.Hour+time.Duration(m)*time.Minute+time.Duration(s)*time.Second, limit)
}

// ListClusters returns the ARM IDs of every AKS cluster of the subscriptions, sorted.
func (c *Client) ListClusters(ctx context.Context, subscriptions []string) ([]string, error) {
	rows, err := c.graph(ctx, "Resources | where type =~ '"+clusterType+"' | project id | order by id asc", subscriptions, 0)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		if id, _ := r["id"].(string); id != "" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// FindByFQDN returns the ARM ID of the AKS cluster whose API server has this host name
// (public or private FQDN), as a kube context's server names it.
func (c *Client) FindByFQDN(ctx context.Context, fqdn string) (string, error) {
	fqdn = strings.ToLower(fqdn)
	if strings.ContainsAny(fqdn, "'\"\\ ") {
		return "", fmt.Errorf("%q is not a host name", fqdn)
	}
	rows, err := c.graph(ctx, "Resources | where type =~ '"+clusterType+"' | where tolower(properties.fqdn) == '"+fqdn+
		"' or tolower(properties.privateFQDN) == '"+fqdn+"' or tolower(properties.azurePortalFQDN) == '"+fqdn+"' | project id", nil, 0)
	if err != nil {
		return "", err
	}
	for _, r := range rows {
		if id, _ := r["id"].(string); id != "" {
			return id, nil
		}
	}
	return "", fmt.Errorf("no AKS cluster the Azure credential can see has the API server %s (give --aks-resource-id)", fqdn)
}

// FindByNodeResourceGroup returns the ARM ID of the AKS cluster of a subscription whose
// agent pool nodes are in this resource group (properties.nodeResourceGroup, MC_… by
// default), as its Nodes name it (the kubernetes.azure.com/cluster label, the providerID):
// in a pod the API server is kubernetes.default.svc, which no FQDN lookup finds.
func (c *Client) FindByNodeResourceGroup(ctx context.Context, subscription, nodeResourceGroup string) (string, error) {
	rg := strings.ToLower(nodeResourceGroup)
	if rg == "" || strings.ContainsAny(rg+subscription, "'\"\\ ") {
		return "", fmt.Errorf("%q is not a resource group name", nodeResourceGroup)
	}
	var subs []string
	if subscription != "" {
		subs = []string{subscription}
	}
	rows, err := c.graph(ctx, "Resources | where type =~ '"+clusterType+"' | where tolower(properties.nodeResourceGroup) == '"+rg+"' | project id", subs, 0)
	if err != nil {
		return "", err
	}
	for _, r := range rows {
		if id, _ := r["id"].(string); id != "" {
			return id, nil
		}
	}
	return "", fmt.Errorf("no AKS cluster the Azure credential can see has its nodes in the resource group %s (give --aks-resource-id)", nodeResourceGroup)
}

// registryIDs finds the registries with these login servers (acme.azurecr.io), in every
// subscription the credential can see: a registry is often in another subscription than
// the clusters that pull from it.
func (c *Client) registryIDs(ctx context.Context, hosts []string) ([]string, error) {
	if len(hosts) == 0 {
		return nil, nil
	}
	quoted := make([]string, len(hosts))
	for i, h := range hosts {
		quoted[i] = "'" + strings.ToLower(h) + "'"
	}
	rows, err := c.graph(ctx, "Resources | where type =~ 'microsoft.containerregistry/registries' | where tolower(properties.loginServer) in ("+
		strings.Join(quoted, ", ")+") | project id | order by id asc", nil, 0)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range rows {
		if id, _ := r["id"].(string); id != "" {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// reader reads the documents of one cluster and turns each into the ARM model.
type reader struct {
	c         *Client
	id        *arm.ResourceID
	clusterID string
	scan      *subject.Scan
	// queries are the Resource Graph answers several clusters share (a fleet's); nil reads
	// each query afresh (extras.go).
	queries *queryCache
}

// add hands one API answer to the ARM loader, named by the resource it came from.
func (r *reader) add(source string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		r.fail(source, "encoding the answer", err)
		return
	}
	r.scan.Merge(armload.LoadBytes(source, data, armload.Options{}))
}

func (r *reader) fail(source, what string, err error) {
	r.scan.Errors = append(r.scan.Errors, subject.LoadError{Source: source, Message: what + ": " + describe(err)})
}

// failRefused records a failed read; when Azure refused it (403), the message names the role
// that allows it, so that the operator knows what to grant. The checks that needed the answer
// are then not evaluated.
func (r *reader) failRefused(source, what, role string, err error) {
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusForbidden {
		r.scan.Errors = append(r.scan.Errors, subject.LoadError{Source: source,
			Message: what + ": " + describe(err) + "; the identity needs the " + role + " at the cluster's scope"})
		return
	}
	r.fail(source, what, err)
}

// list is the {"value": [...]} shape of ARM lists, which the ARM loader reads as az does.
type list[T any] struct {
	Value []T `json:"value"`
}

// addList hands what a list call answered at source to the ARM loader (nothing when it
// found nothing), or records its failure to do what; it reports whether the list was read.
func addList[T any](r *reader, source, what string, all []T, err error) bool {
	if err != nil {
		r.fail(source, what, err)
		return false
	}
	if len(all) > 0 {
		r.add(source, list[T]{Value: all})
	}
	return true
}

// parseCluster checks that clusterID is the ARM ID of an AKS cluster; when it is not, the
// scan gets the error entry and nil is returned.
func parseCluster(clusterID string, scan *subject.Scan) *arm.ResourceID {
	id, err := arm.ParseResourceID(clusterID)
	if err != nil || !strings.EqualFold(id.ResourceType.String(), "Microsoft.ContainerService/managedClusters") {
		scan.Inputs = append(scan.Inputs, subject.Input{Kind: subject.InputARM, Source: clusterID})
		scan.Errors = append(scan.Errors, subject.LoadError{Source: clusterID, Message: "not the ARM ID of an AKS cluster (/subscriptions/…/resourceGroups/…/providers/Microsoft.ContainerService/managedClusters/NAME)"})
		return nil
	}
	return id
}

// Load reads one AKS cluster by ARM ID, with registryHosts the login servers of the
// registries its workloads pull from (from a live scan; none when unknown). A cluster that
// cannot be read is one error entry.
func (c *Client) Load(ctx context.Context, clusterID string, registryHosts []string) *subject.Scan {
	scan := &subject.Scan{Evidence: map[catalog.Evidence]bool{}}
	id := parseCluster(clusterID, scan)
	if id == nil {
		return scan
	}
	r := &reader{c: c, id: id, clusterID: clusterID, scan: scan}
	sub, rg, name := id.SubscriptionID, id.ResourceGroupName, id.Name

	cs, err := armcontainerservice.NewClientFactory(sub, c.cred, c.opts)
	if err != nil {
		r.fail(clusterID, "Azure client", err)
		return scan
	}
	mc, err := cs.NewManagedClustersClient().Get(ctx, rg, name, nil)
	if err != nil {
		scan.Inputs = append(scan.Inputs, subject.Input{Kind: subject.InputARM, Source: clusterID})
		r.fail(clusterID, "reading the AKS cluster", err)
		return scan
	}
	r.add(clusterID, mc.ManagedCluster)

	poolNames := r.agentPools(ctx, cs)
	r.poolUpgrades(ctx, cs, poolNames)
	maintenanceRead := r.maintenance(ctx, cs)

	if up, err := cs.NewManagedClustersClient().GetUpgradeProfile(ctx, rg, name, nil); err != nil {
		r.fail(clusterID+"/upgradeProfiles/default", "reading the upgrade profile", err)
	} else {
		r.add(clusterID+"/upgradeProfiles/default", up.ManagedClusterUpgradeProfile)
	}

	if mc.Location != nil {
		src, kv, err := c.kubernetesVersions(ctx, sub, *mc.Location)
		if err != nil {
			r.fail(src, "listing the region's Kubernetes versions", err)
		} else {
			r.add(src, kv)
		}
	}

	diagnosticsRead := r.diagnostics(ctx)

	src, p, err := c.pricing(ctx, sub)
	if err != nil {
		r.fail(src, "reading the Defender for Containers plan", err)
	} else {
		r.add(src, p)
	}

	r.registries(ctx, registryHosts)
	r.defender(ctx, registryHosts)
	r.policy(ctx)
	r.finish(maintenanceRead, diagnosticsRead)
	r.extras(ctx)
	return scan
}

// agentPools lists the cluster's agent pools through ARM and returns their names (none when
// they could not be listed: the error entry says so).
func (r *reader) agentPools(ctx context.Context, cs *armcontainerservice.ClientFactory) []string {
	all, err := collect(ctx, cs.NewAgentPoolsClient().NewListPager(r.id.ResourceGroupName, r.id.Name, nil),
		func(p armcontainerservice.AgentPoolsClientListResponse) []*armcontainerservice.AgentPool {
			return p.Value
		})
	if err != nil {
		r.fail(r.clusterID+"/agentPools", "listing the agent pools", err)
		return nil
	}
	r.add(r.clusterID+"/agentPools", list[*armcontainerservice.AgentPool]{Value: all})
	var names []string
	for _, p := range all {
		if p.Name != nil {
			names = append(names, *p.Name)
		}
	}
	return names
}

// poolUpgrades reads the upgrade profile of each pool: its latest node image version, which
// node-image-current and the Windows node image check compare the pool's image with.
func (r *reader) poolUpgrades(ctx context.Context, cs *armcontainerservice.ClientFactory, poolNames []string) {
	pools := cs.NewAgentPoolsClient()
	for _, p := range poolNames {
		src := r.clusterID + "/agentPools/" + p + "/upgradeProfiles/default"
		if up, err := pools.GetUpgradeProfile(ctx, r.id.ResourceGroupName, r.id.Name, p, nil); err != nil {
			r.fail(src, "reading the pool's upgrade profile", err)
		} else {
			r.add(src, up.AgentPoolUpgradeProfile)
		}
	}
}

// maintenance lists the cluster's maintenance configurations; it reports whether they were
// read (then none means none).
func (r *reader) maintenance(ctx context.Context, cs *armcontainerservice.ClientFactory) bool {
	mcfgs, err := collect(ctx, cs.NewMaintenanceConfigurationsClient().NewListByManagedClusterPager(r.id.ResourceGroupName, r.id.Name, nil),
		func(p armcontainerservice.MaintenanceConfigurationsClientListByManagedClusterResponse) []*armcontainerservice.MaintenanceConfiguration {
			return p.Value
		})
	return addList(r, r.clusterID+"/maintenanceConfigurations", "listing the maintenance configurations", mcfgs, err)
}

// diagnostics lists the cluster's diagnostic settings; it reports whether they were read.
func (r *reader) diagnostics(ctx context.Context) bool {
	dc, err := armmonitor.NewDiagnosticSettingsClient(r.c.cred, r.c.opts)
	if err != nil {
		r.fail(r.clusterID, "Azure client", err)
		return false
	}
	all, err := collect(ctx, dc.NewListPager(strings.TrimPrefix(r.clusterID, "/"), nil), func(p armmonitor.DiagnosticSettingsClientListResponse) []*armmonitor.DiagnosticSettingsResource {
		return p.Value
	})
	return addList(r, r.clusterID+"/providers/Microsoft.Insights/diagnosticSettings", "listing the diagnostic settings", all, err)
}

// finish ties the parts to the cluster; what was listed in full is known, so that no
// maintenance configuration or diagnostic setting means none.
func (r *reader) finish(maintenanceRead, diagnosticsRead bool) {
	r.scan.Others = armload.Link(r.scan.Others)
	for _, s := range r.scan.Others {
		if cl, ok := s.(*subject.Cluster); ok && strings.EqualFold(cl.ID, r.clusterID) {
			cl.MaintenanceKnown = cl.MaintenanceKnown || maintenanceRead
			cl.DiagnosticsKnown = cl.DiagnosticsKnown || diagnosticsRead
		}
	}
}

// kubernetesVersions lists the Kubernetes versions AKS offers in a region, as seen from a
// subscription; source names the list.
func (c *Client) kubernetesVersions(ctx context.Context, sub, location string) (string, any, error) {
	src := "/subscriptions/" + sub + "/providers/Microsoft.ContainerService/locations/" + location + "/kubernetesVersions"
	cs, err := armcontainerservice.NewClientFactory(sub, c.cred, c.opts)
	if err != nil {
		return src, nil, err
	}
	kv, err := cs.NewManagedClustersClient().ListKubernetesVersions(ctx, location, nil)
	if err != nil {
		return src, nil, err
	}
	return src, kv.KubernetesVersionListResult, nil
}

// pricing reads the Defender for Containers plan of a subscription; source names it.
func (c *Client) pricing(ctx context.Context, sub string) (string, any, error) {
	src := "/subscriptions/" + sub + "/providers/Microsoft.Security/pricings/Containers"
	pc, err := armsecurity.NewPricingsClient(c.cred, c.opts)
	if err != nil {
		return src, nil, err
	}
	p, err := pc.Get(ctx, "subscriptions/"+sub, "Containers", nil)
	if err != nil {
		return src, nil, err
	}
	return src, p.Pricing, nil
}

// registries reads the registries with the given login servers, and their replications.
func (r *reader) registries(ctx context.Context, hosts []string) {
	ids, err := r.c.registryIDs(ctx, hosts)
	if err != nil {
		r.fail(strings.Join(hosts, ", "), "finding the registries the images come from", err)
		return
	}
	for _, rid := range ids {
		id, err := arm.ParseResourceID(rid)
		if err != nil {
			continue
		}
		f, err := armcontainerregistry.NewClientFactory(id.SubscriptionID, r.c.cred, r.c.opts)
		if err != nil {
			r.fail(rid, "Azure client", err)
			continue
		}
		reg, err := f.NewRegistriesClient().Get(ctx, id.ResourceGroupName, id.Name, nil)
		if err != nil {
			r.fail(rid, "reading the container registry", err)
			continue
		}
		r.add(rid, reg.Registry)
		reps, err := collect(ctx, f.NewReplicationsClient().NewListPager(id.ResourceGroupName, id.Name, nil),
			func(p armcontainerregistry.ReplicationsClientListResponse) []*armcontainerregistry.Replication {
				return p.Value
			})
		addList(r, rid+"/replications", "listing the registry's replications", reps, err)
	}
}

// pager is the SDK's pager of list responses, which follows nextLink.
type pager[R any] interface {
	More() bool
	NextPage(ctx context.Context) (R, error)
}

// collect reads every page of a list.
func collect[R, T any](ctx context.Context, p pager[R], items func(R) []T) ([]T, error) {
	var out []T
	for p.More() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, items(page)...)
	}
	return out, nil
}

// describe says what an ARM error was: the status and ARM's error code.
func describe(err error) string {
	var pe *graphPageError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		switch re.StatusCode {
		case http.StatusForbidden:
			return fmt.Sprintf("forbidden (%s): the Azure identity may not read it", re.ErrorCode)
		case http.StatusNotFound:
			return fmt.Sprintf("not found (%s)", re.ErrorCode)
		case http.StatusTooManyRequests:
			return fmt.Sprintf("throttled (429 %s) after the retries", re.ErrorCode)
		}
		return fmt.Sprintf("%d %s", re.StatusCode, re.ErrorCode)
	}
	var cue *azidentity.AuthenticationFailedError
	if errors.As(err, &cue) {
		return "authentication failed: " + firstLine(cue.Error())
	}
	return firstLine(err.Error())
}

// graphPageError is a Resource Graph page that failed: its text says which page, and it keeps
// Azure's answer for errors.As (a refusal then names the role to grant).
type graphPageError struct {
	page int
	err  error
}

func (e *graphPageError) Error() string {
	return fmt.Sprintf("querying Azure Resource Graph (page %d): %s", e.page, describe(e.err))
}

func (e *graphPageError) Unwrap() error { return e.err }

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
