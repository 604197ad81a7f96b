package live

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/akscheck/akscheck/internal/subject"
)

func aksNode(name, pool, mode, zone, kubelet, image string, taints ...corev1.Taint) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{
			subject.LabelAgentPool: pool, subject.LabelNodePoolMode: mode, subject.LabelNodeImageVersion: image,
			subject.LabelOS: "linux", subject.LabelOSSKU: "AzureLinux", subject.LabelZone: zone,
			subject.LabelRegion: "westeurope", subject.LabelInstanceType: "Standard_D4s_v5",
		}},
		Spec:   corev1.NodeSpec{Taints: taints},
		Status: corev1.NodeStatus{NodeInfo: corev1.NodeSystemInfo{KubeletVersion: kubelet, OperatingSystem: "linux"}},
	}
}

func TestClusterOf(t *testing.T) {
	t.Parallel()
	critical := corev1.Taint{Key: "CriticalAddonsOnly", Value: "true", Effect: corev1.TaintEffectNoSchedule}
	nodes := []*corev1.Node{
		aksNode("aks-system-1", "system", "system", "westeurope-2", "v1.36.2", "AKSAzureLinux-V2gen2-202611.10.0", critical),
		aksNode("aks-system-0", "system", "system", "westeurope-1", "v1.36.2", "AKSAzureLinux-V2gen2-202611.10.0", critical),
		aksNode("aks-apps-0", "apps", "user", "0", "v1.35.7", "AKSAzureLinux-V2gen2-202610.01.0"),
		aksNode("aks-apps-1", "apps", "user", "", "v1.36.2", "AKSAzureLinux-V2gen2-202611.10.0"),
		{ObjectMeta: metav1.ObjectMeta{Name: "virtual-node-aci-linux", Labels: map[string]string{"type": "virtual-kubelet"}}},
	}
	c := ClusterOf("aks-prod", "v1.36.3", nodes)
	if c == nil {
		t.Fatal("no cluster from AKS nodes")
	}
	if c.Name != "aks-prod" || !c.CurrentKubernetesVersion.Is("1.36.3") || !c.Location.Is("westeurope") {
		t.Errorf("cluster %s: version %+v, location %+v", c.Name, c.CurrentKubernetesVersion, c.Location)
	}
	if len(c.Pools) != 2 || c.Pools[0].Name != "apps" || c.Pools[1].Name != "system" {
		t.Fatalf("pools = %+v, want apps and system (no pool for the virtual node)", c.Pools)
	}
	apps, system := c.Pools[0], c.Pools[1]

	modeAt := subject.Location{Kind: "Node", Name: "aks-system-0", Path: `metadata.labels["kubernetes.azure.com/mode"]`}
	if !system.IsSystem() || system.Mode.Loc != modeAt || !apps.Mode.Is("User") {
		t.Errorf("modes: system %+v, apps %+v", system.Mode, apps.Mode)
	}
	if !reflect.DeepEqual(system.Zones.V, []string{"1", "2"}) || !system.Zones.IsKnown() {
		t.Errorf("system zones = %+v, want 1 and 2", system.Zones)
	}
	if len(apps.Zones.V) != 0 || !apps.Zones.IsKnown() {
		t.Errorf("apps zones = %+v: a fault domain and no label are no zone", apps.Zones)
	}
	if system.Count.V != 2 || !system.Count.IsKnown() || !system.OSType.Is("Linux") || !system.VMSize.Is("Standard_D4s_v5") || !system.OSSKU.Is("AzureLinux") {
		t.Errorf("system pool: count %+v, os %+v, size %+v, sku %+v", system.Count, system.OSType, system.VMSize, system.OSSKU)
	}
	if !reflect.DeepEqual(system.Taints.V, []string{"CriticalAddonsOnly=true:NoSchedule"}) || len(apps.Taints.V) != 0 {
		t.Errorf("taints: system %v, apps %v", system.Taints.V, apps.Taints.V)
	}
	// The oldest kubelet and the oldest image, located at the node that has them.
	wantVersion := subject.KnownString("1.35.7", subject.Location{Kind: "Node", Name: "aks-apps-0", Path: "status.nodeInfo.kubeletVersion"})
	if apps.CurrentOrchestratorVersion != wantVersion || apps.OrchestratorVersion != wantVersion {
		t.Errorf("apps version = %+v, want %+v", apps.CurrentOrchestratorVersion, wantVersion)
	}
	wantImage := subject.KnownString("AKSAzureLinux-V2gen2-202610.01.0",
		subject.Location{Kind: "Node", Name: "aks-apps-0", Path: `metadata.labels["kubernetes.azure.com/node-image-version"]`})
	if apps.NodeImageVersion != wantImage {
		t.Errorf("apps image = %+v, want %+v", apps.NodeImageVersion, wantImage)
	}

	// What the API cannot show is unknown, never absent: no check fails on it.
	for name, a := range map[string]subject.Attr{
		"private cluster": c.PrivateCluster.Attr, "RBAC": c.EnableRBAC.Attr, "upgrade channel": c.UpgradeChannel.Attr,
		"node OS channel": c.NodeOSUpgradeChannel.Attr, "SKU tier": c.SKUTier.Attr, "load balancer": c.LoadBalancerSKU.Attr,
		"tags": c.Tags.Attr, "autoscaling": system.EnableAutoScaling.Attr, "min count": system.MinCount.Attr,
		"pool type": system.Type.Attr, "max surge": system.MaxSurge.Attr, "latest image": system.LatestNodeImageVersion.Attr,
	} {
		if !a.IsUnknown() {
			t.Errorf("%s is %v, want unknown", name, a.State)
		}
	}
	if !c.AddonEnabled("omsagent").IsUnknown() {
		t.Error("add-ons are not known from the nodes")
	}

	if ClusterOf("kind", "v1.36.0", []*corev1.Node{{ObjectMeta: metav1.ObjectMeta{Name: "kind-control-plane"}}}) != nil {
		t.Error("nodes without AKS labels made an AKS cluster")
	}
}
