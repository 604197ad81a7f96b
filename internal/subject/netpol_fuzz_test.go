package subject

import (
	"net/netip"
	"testing"
)

// FuzzNetworkPolicy feeds arbitrary JSON to the Cilium and Calico policy readers: whatever
// the fields hold, reading the policy and asking it anything must not panic.
func FuzzNetworkPolicy(f *testing.F) {
	for _, s := range []string{
		`{"spec":{"endpointSelector":{},"ingress":[{}],"egress":[{"toEntities":["world"]}]}}`,
		`{"specs":[{"endpointSelector":{"matchExpressions":[{"key":"k8s:io.kubernetes.pod.namespace","operator":"NotIn","values":["kube-system"]}]},"egressDeny":[{"toCIDRSet":[{"cidr":"0.0.0.0/0","except":["10.0.0.0/8"]}]}],"enableDefaultDeny":{"egress":false}}]}`,
		`{"spec":{"endpointSelector":{},"egress":[{"toPorts":[{"ports":[{"port":"80","endPort":90,"protocol":"TCP"}],"rules":{"http":[{}]}}]}]}}`,
		`{"spec":{"selector":"app in {'a', \"b\"} && !has(x)","namespaceSelector":"all()","order":10,"types":["Egress"],"egress":[{"action":"Deny","protocol":6,"destination":{"nets":["169.254.169.254/32"],"ports":["1:100","http"]}}]}}`,
		`{"spec":{"ingress":"none"}}`,
		`[]`,
	} {
		f.Add(s)
	}
	imds := netip.MustParseAddr("169.254.169.254")
	f.Fuzz(func(t *testing.T, raw string) {
		for _, kind := range [][2]string{
			{"cilium.io/v2", "CiliumNetworkPolicy"}, {"cilium.io/v2", "CiliumClusterwideNetworkPolicy"},
			{"projectcalico.org/v3", "NetworkPolicy"}, {"projectcalico.org/v3", "GlobalNetworkPolicy"},
		} {
			p := newNetworkPolicy(rawPolicy(kind[0], kind[1], raw)).bind("shop", map[string]string{"zone": "apps"})
			p.Selects(map[string]string{"app": "a"})
			p.Isolates(map[string]string{"app": "a"})
			p.SelectsAll()
			p.appliesIn()
			for _, d := range []Direction{Ingress, Egress} {
				p.DeniesAll(d)
				p.DenyGap(d)
			}
			EgressTo([]*NetworkPolicy{p}, imds, 80)
		}
	})
}
