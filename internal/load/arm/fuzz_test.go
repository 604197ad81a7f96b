package arm

import (
	"testing"

	"github.com/akscheck/akscheck/internal/testutil"
)

// FuzzLoadBytes feeds the ARM loader arbitrary JSON: it must never panic, and bad input must
// become error entries. Seeded from the test data (az outputs, templates, Bicep).
func FuzzLoadBytes(f *testing.F) {
	testutil.AddSeeds(f, []string{
		`{"$schema":"deploymentTemplate","contentVersion":"1","resources":[{"type":"[parameters('t')]","name":"[format('{0}', variables('v'))]","condition":"[equals(1,1)]"}]}`,
		`{"value":[{"type":"Microsoft.Insights/diagnosticSettings","properties":{"logs":"[x()]"}}]}`,
		// Issue 19: these hung the scan (exponential evaluation of self-referring variables).
		`{"$schema":"deploymentTemplate","contentVersion":"1","variables":{"a":"[concat(variables('a'), variables('a'))]"},"resources":[{"type":"Microsoft.ContainerService/managedClusters","name":"[variables('a')]"}]}`,
		`{"$schema":"deploymentTemplate","contentVersion":"1","variables":{"a":"[concat(variables('b'),variables('b'),variables('b'))]","b":"[concat(variables('a'),variables('a'))]"},"resources":[{"type":"Microsoft.ContainerService/managedClusters","name":"[variables('b')]"}]}`,
		`{"$schema":"deploymentTemplate","contentVersion":"1","parameters":{"p":{"type":"string","defaultValue":"[concat(parameters('p'),parameters('p'))]"}},"resources":[{"type":"Microsoft.ContainerService/managedClusters","name":"[parameters('p')]"}]}`,
		// Extension resources with settings of the wrong types, and IDs cut short.
		`[{"type":"Microsoft.DataProtection/backupVaults/backupInstances","properties":{"dataSourceInfo":{"resourceID":7,"datasourceType":["x"]},"policyInfo":null}},{"type":"Microsoft.KubernetesConfiguration/fluxConfigurations","id":"/providers/Microsoft.ContainerService/managedClusters/","properties":{"suspend":"yes"}},{"type":"Microsoft.KubernetesConfiguration/extensions","properties":{"autoUpgradeMinorVersion":{},"version":1}}]`,
		// Routing profiles with endpoints of the wrong shapes, and an origin whose ID stops at its profile.
		`[{"type":"Microsoft.Network/trafficManagerProfiles","name":"tm","properties":{"endpoints":[null,7,{"properties":{"target":["x"],"endpointLocation":{},"endpointStatus":true}}]}},{"type":"Microsoft.Cdn/profiles","sku":{"name":3}},{"id":"/providers/Microsoft.Cdn/profiles/","type":"Microsoft.Cdn/profiles/originGroups/origins","properties":{"hostName":1,"azureOrigin":"x","enabledState":null}}]`,
		`{"$schema":"deploymentTemplate","contentVersion":"1","resources":[{"type":"Microsoft.Network/trafficManagerProfiles","name":"[concat('tm','/')]","resources":[{"type":"azureEndpoints","name":"/","properties":{"targetResourceId":"[resourceId('Microsoft.Network/publicIPAddresses','p')]"}}]}]}`,
		chainTemplate(40, "concat(%s, %s)"),
		chainTemplate(40, "createObject('l', %s, 'r', %s)"),
	}, "testdata/az/*.json", "testdata/templates/*.json", "testdata/bicep/*.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is a failing input, not a fuzzer that never returns.
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			s := LoadBytes("fuzz.json", data, Options{})
			s.Others = Link(s.Others)
			for _, e := range s.Errors {
				if e.Source != "fuzz.json" {
					t.Fatalf("error without its source: %+v", e)
				}
			}
			_ = Sniff(data)
		})
	})
}
