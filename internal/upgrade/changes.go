package upgrade

// Change is an AKS change that comes with a Kubernetes minor and touches clusters with a
// setting: listed as info in the plans whose path goes through the minor.
type Change struct {
	// Minor is the first AKS Kubernetes minor with the change.
	Minor string
	// What the change is.
	What string
	// Applies says which pools it touches: "linux-ubuntu" (Linux pools whose OS SKU is Ubuntu
	// or unset: Ubuntu is the default).
	Applies string
	// Source cites it.
	Source string
}

// changes are the AKS changes by minor akscheck can cite. Keep them by minor; add only
// changes with a published source.
var changes = []Change{
	{Minor: "1.25", Applies: "linux-ubuntu",
		What:   "Ubuntu pools move to Ubuntu 22.04 (cgroup v2): check JVM, Node and monitoring agents that read cgroup v1",
		Source: "AKS FAQ, Which OS versions are supported (learn.microsoft.com/azure/aks/faq): Ubuntu 22.04 by default for Kubernetes 1.25 to 1.34"},
	{Minor: "1.35", Applies: "linux-ubuntu",
		What:   "Ubuntu pools move to Ubuntu 24.04: test the node-level agents and kernel-dependent workloads",
		Source: "AKS FAQ, Which OS versions are supported (learn.microsoft.com/azure/aks/faq): Ubuntu 24.04 by default for Kubernetes 1.35 and later"},
}

// Changes returns the table (a copy).
func Changes() []Change { return append([]Change(nil), changes...) }
