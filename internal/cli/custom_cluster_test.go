package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil"
)

// The example config's cluster and node pool checks run through akscheck scan --config, and
// a cluster check on a scan without a cluster is a notice of the report at its line.
func TestScanWithClusterCustomChecks(t *testing.T) {
	t.Parallel()
	_, out, errOut := run(t, "", "scan", "--config", "../../examples/.akscheck.yaml", "-o", "json", "../../examples")
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	fired := map[string]int{}
	for _, f := range rep.Findings {
		fired[f.Check]++
	}
	if fired["platform-kubernetes-baseline"] == 0 || fired["user-pool-autoscale-ceiling"] == 0 {
		t.Errorf("custom cluster checks fired %v", fired)
	}

	dir := t.TempDir()
	cfg := filepath.Join(dir, "custom.yaml")
	doc := "customChecks:\n  - id: standard-tier\n    item: dr.control-plane-sla\n    target: cluster\n    expression: \"cluster.?sku.?tier.orValue('Free') != 'Free'\"\n"
	if err := os.WriteFile(cfg, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	_, out, errOut = run(t, "", "scan", "--config", cfg, "-o", "json", "../../examples/k8s/cart.yaml")
	// The JSON report carries the notices, as its contract says.
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := testutil.CompileSchema(t, reportSchema).Validate(inst); err != nil {
		t.Errorf("report with notices does not match the contract: %v", err)
	}
	rep = report.Report{}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	found := false
	for _, n := range rep.Notices {
		if n.Line == 2 && strings.HasSuffix(n.Source, "custom.yaml") && strings.Contains(n.Message, "custom check standard-tier targets AKS clusters, and the scan holds no AKS cluster") {
			found = true
		}
	}
	if !found {
		t.Errorf("no notice of the unmatched cluster check in %+v", rep.Notices)
	}
}
