package cli

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/spf13/pflag"

	"github.com/akscheck/akscheck/internal/audit"
	"github.com/akscheck/akscheck/internal/load/azure"
)

// serveAzureFlags are the flags of the audit's Azure pass.
type serveAzureFlags struct {
	on         bool
	resourceID string
	interval   time.Duration
}

func (f *serveAzureFlags) register(fl *pflag.FlagSet) {
	fl.BoolVar(&f.on, "azure", false, "with --audit: also read the AKS resource through Azure Resource Manager every --azure-interval "+
		"(cluster, node pools, maintenance configurations, upgrade profiles, diagnostic settings, Defender plan, registries) "+
		"with DefaultAzureCredential: in a pod, workload identity (docs/audit.md)")
	fl.StringVar(&f.resourceID, "aks-resource-id", "", "with --azure, the ARM ID of the AKS cluster (default: found through Azure Resource Graph by the Nodes' node resource group)")
	fl.DurationVar(&f.interval, "azure-interval", audit.DefaultAzureInterval, "with --azure, the interval of the Azure pass")
}

// validate checks the Azure flags of serve.
func (f *serveAzureFlags) validate(fl *pflag.FlagSet, auditing bool) error {
	switch {
	case !f.on && (f.resourceID != "" || fl.Changed("azure-interval")):
		return usageErr("--aks-resource-id and --azure-interval need --azure")
	case f.on && !auditing:
		return usageErr("--azure reads the Azure side of the audit: add --audit")
	case f.on && f.interval <= 0:
		return usageErr("--azure-interval %s: want a positive interval", f.interval)
	case f.resourceID != "":
		id, err := arm.ParseResourceID(f.resourceID)
		if err != nil || !strings.EqualFold(id.ResourceType.String(), "Microsoft.ContainerService/managedClusters") {
			return usageErr("--aks-resource-id %q: want the ARM ID of an AKS cluster (/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/NAME)", f.resourceID)
		}
	}
	return nil
}

// options builds the audit's Azure options (nil without --azure) with opts, when set, saying
// how to reach Azure (tests), else DefaultAzureCredential and the public cloud; it logs which
// credential the pass uses, never a secret.
func (f *serveAzureFlags) options(opts *azure.Options, log *slog.Logger) (*audit.AzureOptions, error) {
	if !f.on {
		return nil, nil
	}
	var o azure.Options
	credential := "given by the caller"
	if opts != nil {
		o = *opts
	}
	if o.Credential == nil {
		credential = defaultCredential()
	}
	client, err := azure.New(o)
	if err != nil {
		return nil, usageErr("--azure: %v", err)
	}
	cluster := f.resourceID
	if cluster == "" {
		cluster = "found by the API server's name or the Nodes' node resource group"
	}
	log.Info("reading the AKS resource through Azure Resource Manager", "credential", credential,
		"cluster", cluster, "interval", f.interval.String())
	return &audit.AzureOptions{Client: client, ResourceID: f.resourceID, Interval: f.interval}, nil
}

// defaultCredential says which credential of DefaultAzureCredential's chain the environment
// sets up, in its order (environment, workload identity, managed identity, developer
// logins): the SDK does not say which one authenticated without a process-wide log
// listener. Client and tenant IDs are not secrets; the token file's content is never read.
func defaultCredential() string {
	env := os.Getenv
	prefix := "DefaultAzureCredential"
	if sel := env("AZURE_TOKEN_CREDENTIALS"); sel != "" {
		prefix += " (AZURE_TOKEN_CREDENTIALS=" + sel + ")"
	}
	client, tenant := env("AZURE_CLIENT_ID"), env("AZURE_TENANT_ID")
	switch {
	case client != "" && tenant != "" && (env("AZURE_CLIENT_SECRET") != "" || env("AZURE_CLIENT_CERTIFICATE_PATH") != ""):
		return fmt.Sprintf("%s: environment service principal (client %s, tenant %s)", prefix, client, tenant)
	case client != "" && tenant != "" && env("AZURE_FEDERATED_TOKEN_FILE") != "":
		return fmt.Sprintf("%s: workload identity (client %s, tenant %s, token file %s)", prefix, client, tenant, env("AZURE_FEDERATED_TOKEN_FILE"))
	case client != "":
		return fmt.Sprintf("%s: managed identity (client %s) or a developer login", prefix, client)
	}
	return prefix + ": managed identity or a developer login (az, azd, PowerShell)"
}
