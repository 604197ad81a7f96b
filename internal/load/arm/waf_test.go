package arm

import (
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// WAF policies of Application Gateway and Front Door, in az and REST shapes and in a
// template: their service, mode and state (both enabled when not written).
func TestWAFPolicies(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		doc            string
		service, mode  string
		enabled, known bool
	}{
		"appgw rest": {`{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/w", "name": "w",
			"type": "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies", "properties": {"policySettings": {"state": "Disabled", "mode": "Prevention"}}}`,
			"Application Gateway", "Prevention", false, true},
		"front door az": {`{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/frontdoorWebApplicationFirewallPolicies/w", "name": "w",
			"type": "Microsoft.Network/frontdoorwebapplicationfirewallpolicies", "policySettings": {"mode": "Detection"}}`,
			"Front Door", "Detection", true, true},
		"template": {`{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
			"resources": [{"type": "Microsoft.Network/FrontDoorWebApplicationFirewallPolicies", "apiVersion": "2024-02-01", "name": "[concat('waf', 'shop')]",
			"properties": {"policySettings": {"enabledState": "Enabled", "mode": "Prevention"}}}]}`,
			"Front Door", "Prevention", true, true},
	} {
		s := LoadBytes(name+".json", []byte(tc.doc), Options{})
		if len(s.Errors) > 0 {
			t.Fatalf("%s: %+v", name, s.Errors)
		}
		var w *subject.WAFPolicy
		for _, o := range s.Others {
			if x, ok := o.(*subject.WAFPolicy); ok {
				w = x
			}
		}
		if w == nil {
			t.Fatalf("%s: no WAF policy in %+v", name, s.Others)
		}
		if w.Service != tc.service || !w.Mode.Is(tc.mode) || w.Enabled.IsKnown() != tc.known || w.Enabled.V != tc.enabled {
			t.Errorf("%s: %+v", name, w)
		}
		if want := tc.enabled && tc.mode == "Prevention"; w.Blocks() != want {
			t.Errorf("%s: Blocks() = %v, want %v", name, w.Blocks(), want)
		}
	}
}
