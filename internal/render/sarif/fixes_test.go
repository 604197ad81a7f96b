package sarif

import (
	"bytes"
	"encoding/json"
	"flag"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/render/fixtext/fixtest"
	"github.com/akscheck/akscheck/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestFixes renders fixes of every shape: the log is valid SARIF 2.1.0 and meets code
// scanning's rules; edits in a file become a fix whose replacements point at the line (an
// empty region: nothing deleted) with the edit in their properties and the change in the
// description; a command, or edits with no file, go to the message and the properties and
// make no fix; no credential is printed. The results are held to a golden file.
func TestFixes(t *testing.T) {
	t.Parallel()
	rep, cat := fixtest.Report()
	out := render(t, rep, cat, checks.All(), Options{})
	schema := testutil.CompileSchema(t, "testdata/sarif-schema-2.1.0.json")
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("not valid SARIF 2.1.0: %v", err)
	}
	checkCodeScanningRules(t, out)

	var doc struct {
		Runs []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	results, err := json.MarshalIndent(doc.Runs[0].Results, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	fixtest.Golden(t, "testdata/fixes.golden.json", append(results, '\n'), *update)
	// The results, not the rules: a rule's example may show a credential's shape.
	for _, bad := range []string{"AccountKey=", "s3cr3t", "\x1b", "\u202e"} {
		if bytes.Contains(results, []byte(bad)) {
			t.Errorf("the results carry %q", bad)
		}
	}

	type region struct{ StartLine, StartColumn, EndColumn int }
	var got struct {
		Runs []struct {
			Results []struct {
				RuleID  string
				Message struct{ Text string }
				Fixes   []struct {
					Description     struct{ Text string }
					ArtifactChanges []struct {
						ArtifactLocation struct{ URI string }
						Replacements     []struct {
							DeletedRegion   region
							InsertedContent *struct{ Text string }
							Properties      map[string]any
						}
					}
				}
				Properties struct {
					Fix *struct{ Command string }
				}
			}
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	byRule := map[string]int{}
	for i, r := range got.Runs[0].Results {
		byRule[r.RuleID] = i
	}
	results0 := got.Runs[0].Results
	web := results0[byRule["privilege-escalation"]]
	if len(web.Fixes) != 1 || len(web.Fixes[0].ArtifactChanges) != 1 {
		t.Fatalf("the manifest edits make %d fixes", len(web.Fixes))
	}
	ch := web.Fixes[0].ArtifactChanges[0]
	if ch.ArtifactLocation.URI != "k8s/web.yaml" || len(ch.Replacements) != 2 {
		t.Errorf("the change is of %q with %d replacements", ch.ArtifactLocation.URI, len(ch.Replacements))
	}
	for _, rp := range ch.Replacements {
		if rp.DeletedRegion != (region{21, 1, 1}) || rp.InsertedContent != nil {
			t.Errorf("a replacement deletes %+v or inserts text it cannot know", rp.DeletedRegion)
		}
	}
	if p := ch.Replacements[1].Properties; p["op"] != "append" || p["value"] != "ALL" ||
		p["text"] != `spec.template.spec.containers[0].securityContext.capabilities.drop += "ALL"` {
		t.Errorf("the append's properties: %v", p)
	}
	if d := web.Fixes[0].Description.Text; !strings.HasPrefix(d, "In k8s/web.yaml:21 (manifest): spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: false; ") {
		t.Errorf("description %q", d)
	}
	tf := results0[byRule["node-pool-max-surge"]]
	if len(tf.Fixes) != 1 || !strings.Contains(tf.Fixes[0].Description.Text, "(terraform, azurerm v4): default_node_pool.upgrade_settings.max_surge = \"33%\"") {
		t.Errorf("the Terraform fix: %+v", tf.Fixes)
	}
	for _, rule := range []string{"kubernetes-rbac-entra", "cluster-autoscaler"} {
		r := results0[byRule[rule]]
		if len(r.Fixes) != 0 {
			t.Errorf("%s: a command-only fix became a SARIF fix", rule)
		}
		if r.Properties.Fix == nil || !strings.HasPrefix(r.Properties.Fix.Command, "az aks ") || !strings.Contains(r.Message.Text, "\n\nFix: Run: az aks ") {
			t.Errorf("%s: the command is not in the properties and the message: %q", rule, r.Message.Text)
		}
	}
	if r := results0[byRule["run-as-root"]]; len(r.Fixes) != 0 || r.Properties.Fix != nil || strings.Contains(r.Message.Text, "Fix:") {
		t.Error("a finding without a fix got one")
	}
}
