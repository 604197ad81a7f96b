package arm

import (
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// A subnet in az network vnet subnet show's shape and in the REST shape: its prefixes and
// the addresses in use (upgrade-plan's surge capacity).
func TestSubnet(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"az": `{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes", "name": "nodes",
			"type": "Microsoft.Network/virtualNetworks/subnets", "addressPrefix": "10.0.0.0/24", "ipConfigurations": [{"id": "a"}, {"id": "b"}]}`,
		"rest": `{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nodes", "name": "nodes",
			"properties": {"addressPrefixes": ["10.0.0.0/24"], "ipConfigurations": [{"id": "a"}, {"id": "b"}]}}`,
	} {
		s := LoadBytes(name+".json", []byte(doc), Options{})
		var sn *subject.Subnet
		for _, o := range s.Others {
			if x, ok := o.(*subject.Subnet); ok {
				sn = x
			}
		}
		if sn == nil {
			t.Fatalf("%s: no subnet in %+v", name, s)
		}
		if len(sn.AddressPrefixes.V) != 1 || sn.AddressPrefixes.V[0] != "10.0.0.0/24" || !sn.IPConfigurations.IsKnown() || sn.IPConfigurations.V != 2 {
			t.Errorf("%s: %+v", name, sn)
		}
	}
}
