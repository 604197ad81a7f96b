package live

import (
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/aksversion"
	"github.com/akscheck/akscheck/internal/subject"
)

// The AKS types the live cluster model carries, the same as the ARM loader's.
const (
	clusterType = "Microsoft.ContainerService/managedClusters"
	poolType    = "Microsoft.ContainerService/managedClusters/agentPools"
)

// ClusterOf maps what the Kubernetes API shows of an AKS cluster into the cluster model the
// Azure loaders fill: one node pool per agent pool label (kubernetes.azure.com/agentpool,
// else agentpool), with its mode, OS, OS SKU, VM size, zones, taints, node count, Kubernetes
// version (the oldest kubelet's) and node image (the oldest) read from its Nodes, and the
// control plane's version from /version. Each known setting is located at the Node it was
// read from, with the field path. What the API cannot show (private cluster, RBAC, upgrade
// channels, add-ons, autoscaling…) is unknown, not absent: it never fails a check. Nodes
// without a pool label (virtual nodes) are left out; a cluster none of whose nodes carry one
// is no AKS cluster, and ClusterOf returns nil.
func ClusterOf(name, version string, nodes []*corev1.Node) *subject.Cluster {
	byPool := map[string][]*corev1.Node{}
	var names []string
	for _, n := range nodes {
		p := subject.NodePoolOf(n)
		if p == "" {
			continue
		}
		if _, ok := byPool[p]; !ok {
			names = append(names, p)
		}
		byPool[p] = append(byPool[p], n)
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	for _, p := range names {
		sort.Slice(byPool[p], func(i, j int) bool { return byPool[p][i].Name < byPool[p][j].Name })
	}
	first := byPool[names[0]][0]
	c := &subject.Cluster{AzureResource: subject.AzureResource{Name: name, Type: clusterType, Input: subject.InputCluster}}
	modeAt := at(first, labelPath(subject.LabelNodePoolMode))
	c.SystemPoolAt, c.UserPoolAt = modeAt, modeAt
	if v := strings.TrimPrefix(strings.TrimSpace(version), "v"); aksversion.MinorOf(v) != "" {
		c.KubernetesVersion = subject.KnownString(v, subject.Location{Path: "/version gitVersion"})
		c.CurrentKubernetesVersion = c.KubernetesVersion
	}
	if r := first.Labels[subject.LabelRegion]; r != "" {
		c.Location = subject.KnownString(r, at(first, labelPath(subject.LabelRegion)))
	}
	for _, p := range names {
		c.Pools = append(c.Pools, poolOf(p, byPool[p]))
	}
	subject.MarkUnknown(c, subject.Location{})
	return c
}

// poolOf maps the nodes of one agent pool.
func poolOf(name string, nodes []*corev1.Node) *subject.NodePool {
	first := nodes[0]
	p := &subject.NodePool{AzureResource: subject.AzureResource{Name: name, Type: poolType, Input: subject.InputCluster,
		Source: at(first, labelPath(subject.LabelAgentPool))}}
	if n, v := firstLabel(nodes, subject.LabelNodePoolMode); n != nil {
		switch strings.ToLower(v) {
		case "system":
			p.Mode = subject.KnownString("System", at(n, labelPath(subject.LabelNodePoolMode)))
		case "user":
			p.Mode = subject.KnownString("User", at(n, labelPath(subject.LabelNodePoolMode)))
		}
	}
	if n, v := firstLabel(nodes, subject.LabelOS); n != nil {
		p.OSType = subject.KnownString(osName(v), at(n, labelPath(subject.LabelOS)))
	} else if os := first.Status.NodeInfo.OperatingSystem; os != "" {
		p.OSType = subject.KnownString(osName(os), at(first, "status.nodeInfo.operatingSystem"))
	}
	if n, v := firstLabel(nodes, subject.LabelOSSKU); n != nil {
		p.OSSKU = subject.KnownString(v, at(n, labelPath(subject.LabelOSSKU)))
	}
	if n, v := firstLabel(nodes, subject.LabelInstanceType); n != nil {
		p.VMSize = subject.KnownString(v, at(n, labelPath(subject.LabelInstanceType)))
	}
	p.Count = subject.Int{Attr: subject.Attr{State: subject.Known, Loc: p.Source}, V: int64(len(nodes))}

	// Zones: AKS labels a zonal node <region>-<zone>; a bare number is the fault domain of
	// a pool without zones.
	zones := map[string]bool{}
	for _, n := range nodes {
		if z := zoneOf(n.Labels[subject.LabelZone]); z != "" {
			zones[z] = true
		}
	}
	zl := make([]string, 0, len(zones))
	for z := range zones {
		zl = append(zl, z)
	}
	sort.Strings(zl)
	p.Zones = subject.List{Attr: subject.Attr{State: subject.Known, Loc: at(first, labelPath(subject.LabelZone))}, V: zl}

	// Taints: those every node of the pool carries (a node being drained carries more).
	p.Taints = subject.List{Attr: subject.Attr{State: subject.Known, Loc: at(first, "spec.taints")}, V: commonTaints(nodes)}

	// The pool's version is its oldest kubelet's: a pool half upgraded is not upgraded.
	var oldest *corev1.Node
	for _, n := range nodes {
		v := n.Status.NodeInfo.KubeletVersion
		if aksversion.MinorOf(strings.TrimPrefix(v, "v")) == "" {
			continue
		}
		if oldest == nil || aksversion.Compare(v, oldest.Status.NodeInfo.KubeletVersion) < 0 {
			oldest = n
		}
	}
	if oldest != nil {
		v := subject.KnownString(strings.TrimPrefix(oldest.Status.NodeInfo.KubeletVersion, "v"), at(oldest, "status.nodeInfo.kubeletVersion"))
		p.OrchestratorVersion, p.CurrentOrchestratorVersion = v, v
	}
	// The node image is the oldest of the pool's (versions of one image sort by date).
	var img *corev1.Node
	for _, n := range nodes {
		v := n.Labels[subject.LabelNodeImageVersion]
		if v != "" && (img == nil || v < img.Labels[subject.LabelNodeImageVersion]) {
			img = n
		}
	}
	if img != nil {
		p.NodeImageVersion = subject.KnownString(img.Labels[subject.LabelNodeImageVersion], at(img, labelPath(subject.LabelNodeImageVersion)))
	}
	subject.MarkUnknown(p, p.Source)
	return p
}

// at locates a setting at a field of a Node.
func at(n *corev1.Node, path string) subject.Location {
	return subject.Location{Kind: "Node", Name: n.Name, Path: path}
}

func labelPath(label string) string { return `metadata.labels["` + label + `"]` }

// firstLabel returns the first node that carries a label, and its value.
func firstLabel(nodes []*corev1.Node, label string) (*corev1.Node, string) {
	for _, n := range nodes {
		if v := n.Labels[label]; v != "" {
			return n, v
		}
	}
	return nil, ""
}

func osName(s string) string {
	switch strings.ToLower(s) {
	case "linux":
		return "Linux"
	case "windows":
		return "Windows"
	}
	return s
}

// zoneOf turns a zone label into the zone as ARM writes it: "westeurope-2" is "2"; a fault
// domain number ("0", "1" on a pool without zones) and no label are no zone.
func zoneOf(label string) string {
	i := strings.LastIndex(label, "-")
	if i <= 0 || i == len(label)-1 {
		return ""
	}
	return label[i+1:]
}

// commonTaints returns the taints (key=value:Effect, as ARM's nodeTaints) every node carries.
func commonTaints(nodes []*corev1.Node) []string {
	count := map[string]int{}
	var order []string
	for _, n := range nodes {
		seen := map[string]bool{}
		for _, t := range n.Spec.Taints {
			s := t.Key
			if t.Value != "" {
				s += "=" + t.Value
			}
			s += ":" + string(t.Effect)
			if seen[s] {
				continue
			}
			seen[s] = true
			if count[s] == 0 {
				order = append(order, s)
			}
			count[s]++
		}
	}
	out := []string{}
	for _, s := range order {
		if count[s] == len(nodes) {
			out = append(out, s)
		}
	}
	return out
}
