package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeAzureUsageErrors(t *testing.T) {
	t.Parallel()
	kubeconfig := badDatabaseKubeconfig(t)
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"azure without audit": {[]string{"serve", "--webhook", "--azure", "--no-cluster", "--tls-self-signed", t.TempDir()}, "add --audit"},
		"resource id alone":   {[]string{"serve", "--audit", "--kubeconfig", kubeconfig, "--aks-resource-id", "/subscriptions/s"}, "need --azure"},
		"interval alone":      {[]string{"serve", "--audit", "--kubeconfig", kubeconfig, "--azure-interval", "5m"}, "need --azure"},
		"zero interval":       {[]string{"serve", "--audit", "--azure", "--kubeconfig", kubeconfig, "--azure-interval", "0s"}, "want a positive interval"},
		"not a cluster's ID":  {[]string{"serve", "--audit", "--azure", "--kubeconfig", kubeconfig, "--aks-resource-id", "/subscriptions/s/resourceGroups/rg"}, "want the ARM ID of an AKS cluster"},
		"a registry, not AKS": {[]string{"serve", "--audit", "--azure", "--kubeconfig", kubeconfig, "--aks-resource-id", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r"}, "want the ARM ID of an AKS cluster"},
		"negative interval":   {[]string{"serve", "--audit", "--azure", "--kubeconfig", kubeconfig, "--azure-interval", "-1h"}, "want a positive interval"},
	} {
		code, _, stderr := run(t, "", tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", name, code, stderr, tc.want)
		}
	}
}

// TestServeAzureWorkloadIdentity: in a pod with workload identity (the webhook injects
// AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE), serve --audit --azure
// logs that DefaultAzureCredential takes that path, and never the token. Not parallel: it
// sets the environment.
func TestServeAzureWorkloadIdentity(t *testing.T) {
	kubeconfig := badDatabaseKubeconfig(t)
	tokenFile := filepath.Join(t.TempDir(), "azure-identity-token")
	const token = "eyJhbGciOiJSUzI1NiJ9.projected-service-account-token.signature"
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_TOKEN_CREDENTIALS"} {
		t.Setenv(v, "") // restored after the test
		os.Unsetenv(v)
	}
	t.Setenv("AZURE_CLIENT_ID", "44444444-4444-4444-4444-444444444444")
	t.Setenv("AZURE_TENANT_ID", "22222222-2222-2222-2222-222222222222")
	t.Setenv("AZURE_FEDERATED_TOKEN_FILE", tokenFile)
	logs := serveUntilLogged(t, "reading the AKS resource through Azure Resource Manager", "serve", "--audit", "--azure",
		"--kubeconfig", kubeconfig, "--database", filepath.Join(t.TempDir(), "h.db"), "--azure-interval", "30m")
	if !strings.Contains(logs, "workload identity (client 44444444-4444-4444-4444-444444444444") || !strings.Contains(logs, `"interval":"30m0s"`) {
		t.Errorf("logs do not name the workload identity path:\n%s", logs)
	}
	if strings.Contains(logs, token) || strings.Contains(logs, "projected-service-account-token") {
		t.Errorf("the token is in the logs:\n%s", logs)
	}
}
