package cluster

import (
	"context"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// EtcdKMS finds clusters whose Kubernetes secrets are not encrypted with a key of their own.
var EtcdKMS = check.New(check.Meta{
	ID:       "etcd-kms",
	Item:     "cluster.etcd-kms",
	Title:    "etcd is encrypted at rest with a Key Vault key (KMS)",
	Severity: check.Medium,
	Description: "securityProfile.azureKeyVaultKms.enabled must be true with a keyId (Terraform: a " +
		"key_management_service block with key_vault_key_id), so Secrets in etcd are encrypted with a key " +
		"you control and can rotate or revoke. A key vault reached over its public endpoint " +
		"(keyVaultNetworkAccess Public) is reported at low severity.",
	Remediation: "Enable KMS etcd encryption with a Key Vault key (az aks update --enable-azure-keyvault-kms --azure-keyvault-kms-key-id ...), preferably with a private key vault.",
	Evidence:    clusterEvidence,
}, func(_ context.Context, _ *check.Env, c *subject.Cluster, r *check.Result) {
	if !wantOn(r, c, c.KMSEnabled, "whether KMS etcd encryption is enabled", "etcd is not encrypted with a key of your own (KMS is off)") {
		return
	}
	// An unresolved keyId names a key (a reference to one): it is set.
	switch {
	case c.KMSKeyID.Empty():
		fail(r, c, c.KMSKeyID.Attr, "KMS is on but names no key")
	case c.KMSNetworkAccess.Is("Public"):
		failSev(r, check.Low, c, c.KMSNetworkAccess.Attr, "the KMS key vault is reached over its public endpoint")
	case c.KMSNetworkAccess.IsUnknown():
		undecided(r, c, "how the KMS key vault is reached (keyVaultNetworkAccess)", c.KMSNetworkAccess.Attr)
	}
})
