package cluster

import (
	"context"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// ACRAdminUser finds registries with the admin user on.
var ACRAdminUser = check.New(check.Meta{
	ID:       "acr-admin-user",
	Item:     "container.registry-rbac",
	Title:    "The registry's admin user is disabled",
	Severity: check.High,
	Description: "adminUserEnabled (Terraform admin_enabled) must not be true: the admin user is one shared " +
		"password with push and pull rights that bypasses Entra ID and RBAC. Role assignments at the " +
		"registry scope remain to be reviewed by hand.",
	Remediation: "Disable the admin user (az acr update --admin-enabled false) and grant AcrPull/AcrPush to identities.",
	Evidence:    registryEvidence,
	Fix:         "disables the admin user (adminUserEnabled; admin_enabled) (az acr update --admin-enabled false)",
}, adminUser)

// ACRPasswordlessPull is the admin-user rule for cluster.acr-integration.
var ACRPasswordlessPull = check.New(check.Meta{
	ID:       "acr-passwordless-pull",
	Item:     "cluster.acr-integration",
	Title:    "Clusters pull from the registry without a password",
	Severity: check.High,
	Description: "AKS pulls with its kubelet identity (AcrPull, az aks update --attach-acr); a registry whose " +
		"admin user is on (adminUserEnabled; Terraform admin_enabled) invites image pull secrets holding its " +
		"password. Role assignments are not in the registry resource; imagePullSecrets are judged on manifests.",
	Remediation: "Attach the registry to the cluster (az aks update --attach-acr) and disable its admin user.",
	Evidence:    clusterEvidence,
	Fix:         "disables the registry's admin user (adminUserEnabled; admin_enabled) (az acr update --admin-enabled false)",
}, adminUser)

func adminUser(_ context.Context, _ *check.Env, g *subject.Registry, r *check.Result) {
	fix := onRegistry(g, az("acr", "update", "--admin-enabled", "false"), set(g.AdminUserEnabled.Attr, false))
	wantOffFix(r, g, g.AdminUserEnabled, fix, "whether the admin user is enabled", "the admin user (a shared password) is enabled")
}

// ACRAnonymousPull finds registries anyone can pull from.
var ACRAnonymousPull = check.New(check.Meta{
	ID:          "acr-anonymous-pull",
	Item:        "container.registry-rbac",
	Title:       "Anonymous pull is disabled",
	Severity:    check.High,
	Description: "anonymousPullEnabled (Terraform anonymous_pull_enabled) must not be true: anyone who can reach the registry could pull its images.",
	Remediation: "Disable anonymous pull (az acr update --anonymous-pull-enabled false).",
	Evidence:    registryEvidence,
	Fix:         "disables anonymous pull (anonymousPullEnabled; anonymous_pull_enabled) (az acr update --anonymous-pull-enabled false)",
}, func(_ context.Context, _ *check.Env, g *subject.Registry, r *check.Result) {
	fix := onRegistry(g, az("acr", "update", "--anonymous-pull-enabled", "false"), set(g.AnonymousPull.Attr, false))
	wantOffFix(r, g, g.AnonymousPull, fix, "whether anonymous pull is enabled", "anonymous pull is enabled")
})

const privateNetworkDescription = "publicNetworkAccess is Disabled (Terraform public_network_access_enabled = false; " +
	"or networkRuleSet.defaultAction Deny) and at least one approved private endpoint connection exists " +
	"(Terraform: an azurerm_private_endpoint of the module that targets the registry). Both need the Premium SKU."

const privateNetworkFix = "disables public network access (publicNetworkAccess Disabled; public_network_access_enabled = false) " +
	"(az acr update --public-network-enabled false); the private endpoint is a resource of its own, not a fix"

// ACRPrivateNetwork finds registries reachable from the internet (container section).
var ACRPrivateNetwork = check.New(check.Meta{
	ID:          "acr-private-network",
	Item:        "container.registry-network",
	Title:       "The registry is reached through a private endpoint only",
	Severity:    check.High,
	Description: privateNetworkDescription,
	Remediation: "Use the Premium SKU, add a private endpoint, and disable public network access (az acr update --public-network-enabled false).",
	Evidence:    registryEvidence,
	Fix:         privateNetworkFix,
}, privateRegistry)

// ACRPublicAccess is the same rule for network.private-registry.
var ACRPublicAccess = check.New(check.Meta{
	ID:          "acr-public-access",
	Item:        "network.private-registry",
	Title:       "The registry is not exposed on the internet",
	Severity:    check.High,
	Description: privateNetworkDescription + " The same rule as acr-private-network, for the network section.",
	Remediation: "Use the Premium SKU, add a private endpoint, and disable public network access (az acr update --public-network-enabled false).",
	Evidence:    registryEvidence,
	Fix:         privateNetworkFix,
}, privateRegistry)

func privateRegistry(_ context.Context, _ *check.Env, g *subject.Registry, r *check.Result) {
	pna, def := g.PublicNetworkAccess, g.NetworkDefaultAction
	switch {
	case pna.Is("Disabled") || def.Is("Deny"):
	case pna.IsUnknown():
		undecided(r, g, "whether public network access is enabled", pna.Attr)
	case def.IsUnknown():
		undecided(r, g, "the default action of the network rules", def.Attr)
	default:
		fix := onRegistry(g, az("acr", "update", "--public-network-enabled", "false"), set(pna.Attr, "Disabled"))
		fix.Note = "Clients then reach the registry only through its private endpoints (Premium SKU): add them first."
		failFix(r, g, pna.Attr, fix, "public network access is enabled and the network rules allow every address")
	}
	switch pe := g.PrivateEndpoints; {
	case pe.IsUnknown():
		undecided(r, g, "the approved private endpoint connections", pe.Attr)
	case pe.V == 0:
		msg := "no approved private endpoint connects to the registry"
		if g.SKU.IsKnown() && !g.SKU.Is("Premium") {
			msg += " (private endpoints need the Premium SKU, not " + g.SKU.V + ")"
		}
		fail(r, g, pe.Attr, "%s", msg)
	}
}

// ACRQuarantinePolicy finds registries that serve images before they are scanned.
var ACRQuarantinePolicy = check.New(check.Meta{
	ID:       "acr-quarantine-policy",
	Item:     "container.registry-quarantine",
	Title:    "The registry quarantines pushed images until they are scanned",
	Severity: check.Medium,
	Description: "policies.quarantinePolicy.status is enabled (any casing; Terraform quarantine_policy_enabled; " +
		"Premium SKU). The workflow that releases images after a clean scan remains manual.",
	Remediation: "Enable the quarantine policy (az acr config quarantine update --status enabled) and release images from quarantine after scanning.",
	Evidence:    registryEvidence,
	Fix:         "enables the quarantine policy (policies.quarantinePolicy.status enabled; quarantine_policy_enabled); az acr update has no parameter for it",
}, func(_ context.Context, _ *check.Env, g *subject.Registry, r *check.Result) {
	wantOnFix(r, g, g.QuarantinePolicy, onRegistry(g, nil, set(g.QuarantinePolicy.Attr, true)), "whether the quarantine policy is enabled", "the quarantine policy is off")
})

// ACRGeoReplication finds registries not replicated to the regions of the scan's clusters.
var ACRGeoReplication = check.New(check.Meta{
	ID:          "acr-geo-replication",
	CrossObject: true,
	Item:        "cluster.acr-geo-replication",
	Title:       "The registry is replicated to every region where the clusters run",
	Severity:    check.Medium,
	Description: "Heuristic: every AKS cluster of the scan is taken to pull from every registry of the scan. " +
		"A registry needs a replication (az acr replication list; Terraform georeplications) in each " +
		"cluster region other than its own, which needs the Premium SKU. Not applicable without clusters.",
	Remediation: "Use the Premium SKU and replicate the registry to each cluster region (az acr replication create --location <region>).",
	Evidence:    registryEvidence,
}, func(_ context.Context, env *check.Env, g *subject.Registry, r *check.Result) {
	regions := map[string]string{}
	var unplaced *subject.Cluster
	for _, s := range env.Index.Subjects(subject.TypeOf[*subject.Cluster]()) {
		c := s.(*subject.Cluster)
		switch {
		case c.Location.IsKnown() && c.Location.V != "":
			regions[regionKey(c.Location.V)] = c.Location.V
		case unplaced == nil:
			unplaced = c
		}
	}
	if unplaced != nil {
		// A region of the scan's clusters may be missing from the replications.
		undecided(r, unplaced, "the region", unplaced.Location.Attr)
	}
	if len(regions) == 0 {
		if unplaced == nil {
			r.NotApplicable()
		}
		return
	}
	if !g.Location.IsKnown() {
		undecided(r, g, "the region", g.Location.Attr)
		return
	}
	for _, rep := range g.Replications {
		if rep.Location.IsUnknown() {
			undecided(r, g, "the region of replication "+rep.Name, rep.Location.Attr)
			return
		}
	}
	var missing []string
	for key, name := range regions {
		if !g.RegistryReplicatedTo(key) {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return
	}
	sort.Strings(missing)
	msg := "the registry is not replicated to " + strings.Join(missing, ", ") + ", where clusters of the scan run"
	if g.SKU.IsKnown() && !g.SKU.Is("Premium") {
		msg += " (geo-replication needs the Premium SKU, not " + g.SKU.V + ")"
	}
	fail(r, g, subject.Attr{Loc: g.ReplicationsAt}, "%s", msg)
})
