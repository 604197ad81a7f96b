package upgrade

// Change is an AKS change that comes with a Kubernetes minor and touches clusters with a
// setting: listed as info in the plans whose path goes through the minor.
type Change struct {
	// Minor is the first AKS Kubernetes minor with the change.
	Minor string
	// What the change is.
	What string
	// Applies says which pools it touches: "linux-ubuntu" (Linux pools whose OS SKU is Ubuntu
	// or unset: Ubuntu is the default), "windows-2022" (Windows pools of OS SKU Windows2022).
	Applies string
	// Blocking changes stop the upgrade to the minor while a pool they touch remains.
	Blocking bool
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
	{Minor: "1.35", Applies: "windows-2022", Blocking: true,
		What:   "Windows Server 2022 is not supported: AKS blocks the upgrade while a Windows Server 2022 pool remains; move the pool's workloads to a Windows Server 2025 pool first",
		Source: "Microsoft, Announcing the 3-year retirement of Windows Server 2022 on Azure Kubernetes Service (Tech Community, Containers blog, March 2024): 1.34 is the last minor with Windows Server 2022"},
}

// Changes returns the table (a copy).
func Changes() []Change { return append([]Change(nil), changes...) }
