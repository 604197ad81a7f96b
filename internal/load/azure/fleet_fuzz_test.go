package azure

import (
	"encoding/json"
	"testing"

	armload "github.com/akscheck/akscheck/internal/load/arm"
	"github.com/akscheck/akscheck/internal/testutil"
)

// FuzzFleetRow feeds the mapping of Resource Graph rows to ARM documents arbitrary rows: it
// must never panic, and what the ARM loader makes of the documents must be error entries
// naming them, never a crash. Seeded from the replay server's cluster documents.
func FuzzFleetRow(f *testing.F) {
	testutil.AddSeeds(f, []string{
		`{"id":"/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerService/managedClusters/a","properties":{"agentPoolProfiles":[{"name":"p","count":"3"},null,{"name":7},"x"]}}`,
		`{"id":"/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerService/managedClusters/a","properties":{"agentPoolProfiles":{"name":"p"}},"tags":[1]}`,
		`{"id":"/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerService/managedClusters/a","properties":null,"sku":{"tier":null}}`,
		`{"id":42,"name":{},"properties":[]}`,
	}, "azuretest/testdata/managedcluster.json", "azuretest/testdata/fleet/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		var row map[string]any
		if json.Unmarshal(data, &row) != nil {
			return
		}
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			doc := clusterDocument(row)
			id, _ := doc["id"].(string)
			pools := agentPoolResources(id, doc)
			names, ok := poolsOf(doc)
			if ok && len(names) != len(pools) {
				t.Fatalf("%d pool names, %d pools", len(names), len(pools))
			}
			for source, v := range map[string]any{"cluster": doc, "pools": map[string]any{"value": pools}} {
				out, err := json.Marshal(v)
				if err != nil {
					t.Fatalf("%s: %v", source, err)
				}
				s := armload.LoadBytes(source, out, armload.Options{})
				s.Others = armload.Link(s.Others)
				testutil.CheckLoadErrors(t, source, s.Errors)
			}
		})
	})
}
