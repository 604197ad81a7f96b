package network

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/subject"
)

// A cluster read through Azure whose subscription's WAF policies could not be listed leaves a
// public Ingress not evaluated, saying why, where the same cluster with its policies listed
// (none) fails it.
func TestWAFFromAzureReads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, data := range map[string]string{
		"aks.json": `{"id": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks", "name": "aks",
  "type": "Microsoft.ContainerService/managedClusters", "location": "westeurope", "addonProfiles": {"azurepolicy": {"enabled": true}}}`,
		"ingress.yaml": `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: shop, port: {number: 80}}}
`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cat := catalog.MustLoad()
	for name, tc := range map[string]struct {
		reads          subject.AzureReads
		status, reason string
	}{
		"listed, none": {subject.AzureReads{WAFPolicies: true}, report.StatusFail, ""},
		"forbidden":    {subject.AzureReads{Unread: map[string]string{subject.UnreadWAF: "forbidden (AuthorizationFailed)"}}, report.StatusNotEvaluated, subject.UnreadWAF + " could not be read: aks: forbidden"},
	} {
		scan := load.Load(t.Context(), []string{dir}, load.Options{})
		if len(scan.Errors) > 0 {
			t.Fatal(scan.Errors)
		}
		for _, s := range scan.Others {
			if c, ok := s.(*subject.Cluster); ok {
				c.Reads = tc.reads
			}
		}
		rep := engine.Run(t.Context(), cat, []*check.Check{WAF}, scan, engine.Options{})
		if it := rep.Items[cat.ItemIndex(WAF.Item)]; it.Status != tc.status || !strings.Contains(it.Reason, tc.reason) {
			t.Errorf("%s: item %s (%s), want %s (%s)", name, it.Status, it.Reason, tc.status, tc.reason)
		}
	}
}
