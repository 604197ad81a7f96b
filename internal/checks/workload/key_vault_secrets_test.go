package workload

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/checktest"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/report"
)

// TestKeyVaultSecretsUndecided: a CSI volume naming a SecretProviderClass that is not among
// the scanned files leaves the item not evaluated, naming the class; it is no finding and no pass.
func TestKeyVaultSecretsUndecided(t *testing.T) {
	t.Parallel()
	doc := `apiVersion: apps/v1
kind: Deployment
metadata: {name: cart, namespace: shop}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers:
        - {name: cart, image: contoso.azurecr.io/cart:1.4.2}
      volumes:
        - name: kv
          csi: {driver: secrets-store.csi.k8s.io, readOnly: true, volumeAttributes: {secretProviderClass: cart-kv}}
`
	f := filepath.Join(t.TempDir(), "cart.yaml")
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cat := catalog.MustLoad()
	rep := engine.Run(t.Context(), cat, []*check.Check{KeyVaultSecrets}, checktest.Manifests(t, f), engine.Options{})
	for _, fd := range rep.Findings {
		t.Errorf("want no finding, got %s", fd.Message)
	}
	it := rep.Items[cat.ItemIndex(KeyVaultSecrets.Item)]
	if it.Status != report.StatusNotEvaluated || !strings.Contains(it.Reason, "SecretProviderClass shop/cart-kv") {
		t.Errorf("item is %s (%s), want not-evaluated naming the SecretProviderClass", it.Status, it.Reason)
	}
}
