package subject

import "testing"

func TestMarkUnknownAndObserve(t *testing.T) {
	t.Parallel()
	node := Location{Kind: "Node", Name: "aks-apps-0", Path: `metadata.labels["kubernetes.azure.com/node-image-version"]`}
	observed := &Cluster{Pools: []*NodePool{{AzureResource: AzureResource{Name: "apps"},
		NodeImageVersion: KnownString("AKSUbuntu-2204gen2containerd-202611.10.0", node),
		Mode:             KnownString("User", node)}}}
	MarkUnknown(observed, Location{})
	MarkUnknown(observed.Pools[0], Location{})
	if !observed.PrivateCluster.IsUnknown() || !observed.Tags.IsUnknown() || !observed.Pools[0].Zones.IsUnknown() {
		t.Fatalf("absent settings stay absent: %+v", observed.PrivateCluster)
	}
	if !observed.Pools[0].Mode.Is("User") {
		t.Errorf("a known setting was changed: %+v", observed.Pools[0].Mode)
	}

	file := Location{File: "aks.json", Line: 40, Path: "properties.agentPoolProfiles[0].mode"}
	arm := &Cluster{PrivateCluster: KnownBool(true, file), Pools: []*NodePool{
		{AzureResource: AzureResource{Name: "aks/apps"}, Mode: KnownString("System", file)}}}
	arm.Observe(observed)
	p := arm.Pools[0]
	if !arm.PrivateCluster.True() || !p.Mode.Is("System") || p.Mode.Loc != file {
		t.Errorf("the observation overrode what ARM knows: %+v %+v", arm.PrivateCluster, p.Mode)
	}
	if !p.NodeImageVersion.IsKnown() || p.NodeImageVersion.Loc != node {
		t.Errorf("node image = %+v, want the observed one at its Node", p.NodeImageVersion)
	}
	if !p.Zones.IsAbsent() {
		t.Errorf("zones = %+v: an unknown observation fills nothing", p.Zones)
	}
	if !node.OnObject() || file.OnObject() {
		t.Error("OnObject")
	}
}
