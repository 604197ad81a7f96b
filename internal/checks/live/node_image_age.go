package live

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// maxImageAge is the age from which a node image is stale: AKS ships node images weekly, and
// a node image older than this misses months of OS security fixes.
const maxImageAge = 90 * 24 * time.Hour

// NodeImageAge reads the age of the Linux nodes' AKS node images.
var NodeImageAge = check.New(check.Meta{
	ID:       "live-node-image-age",
	Item:     "ops.node-patching",
	Title:    "Linux nodes run a node image less than 90 days old",
	Severity: check.High,
	Description: "Reads the AKS node image version of each Linux node (label " +
		"kubernetes.azure.com/node-image-version, e.g. AKSUbuntu-2204gen2containerd-202501.12.0, whose " +
		"date is the image's release) with the OS image and kernel from status.nodeInfo. AKS releases " +
		"node images weekly with the OS security fixes; an image older than 90 days means node OS " +
		"upgrades are not happening. Nodes of one pool on different images are an upgrade left half done.",
	Remediation: "Set the node OS upgrade channel to NodeImage or SecurityPatch with a maintenance window (az aks update --node-os-upgrade-channel NodeImage), or run az aks nodepool upgrade --node-image-only.",
	Evidence:    liveOnly,
}, func(_ context.Context, env *check.Env, c *subject.LiveCluster, r *check.Result) {
	nodeImageAge(env, c, r, false)
})

// WindowsNodeImageAge reads the age of the Windows nodes' AKS node images.
var WindowsNodeImageAge = check.New(check.Meta{
	ID:       "live-windows-node-image-age",
	Item:     "windows.patch-nodes",
	Title:    "Windows nodes run a node image less than 90 days old",
	Severity: check.High,
	Description: "Reads the AKS node image version of each Windows node (label " +
		"kubernetes.azure.com/node-image-version, e.g. AKSWindows-2022-containerd-20348.2966.241211, " +
		"whose last part is the release date) with the OS image from status.nodeInfo. Windows nodes get " +
		"no unattended patching: the monthly Windows updates reach them only through a new node image.",
	Remediation: "Upgrade the Windows pools' node image every month (az aks nodepool upgrade --node-image-only), or set the node OS upgrade channel to NodeImage.",
	Evidence:    liveOnly,
}, func(_ context.Context, env *check.Env, c *subject.LiveCluster, r *check.Result) {
	nodeImageAge(env, c, r, true)
})

func nodeImageAge(env *check.Env, c *subject.LiveCluster, r *check.Result, windows bool) {
	var nodes []*corev1.Node
	for _, n := range c.Nodes {
		if isWindows(n) == windows && n.Labels[subject.LabelNodeImageVersion] != "" {
			nodes = append(nodes, n)
		}
	}
	if len(nodes) == 0 {
		r.NotApplicable()
		return
	}
	names, by := pools(nodes)
	for _, pool := range names {
		images := map[string][]*corev1.Node{}
		var order []string
		for _, n := range by[pool] {
			img := n.Labels[subject.LabelNodeImageVersion]
			if _, ok := images[img]; !ok {
				order = append(order, img)
			}
			images[img] = append(images[img], n)
		}
		for _, img := range order {
			ns := images[img]
			released, ok := imageDate(img)
			if !ok {
				continue
			}
			if age := env.Now.Sub(released); age > maxImageAge {
				info := ns[0].Status.NodeInfo
				r.Add(check.Finding{Severity: check.High, Object: nodeRef(ns[0]), Related: relatedNodes(ns),
					Location: subject.Location{Path: "metadata.labels"},
					Message: fmt.Sprintf("%s (%d node(s): %s) runs node image %s, released %s, %d days ago (evidence: label %s; status.nodeInfo: %s, kernel %s)",
						poolNoun(pool), len(ns), nodeNames(ns), img, released.Format("2006-01-02"), int(age.Hours()/24),
						subject.LabelNodeImageVersion, info.OSImage, info.KernelVersion)})
			}
		}
		if len(order) > 1 {
			ns := by[pool]
			r.Add(check.Finding{Severity: check.Low, Object: nodeRef(ns[0]), Related: relatedNodes(ns),
				Location: subject.Location{Path: "metadata.labels"},
				Message: fmt.Sprintf("the nodes of %s run %d different node images (%s): a node image upgrade is not done (evidence: label %s)",
					poolNoun(pool), len(order), shortList(order, 3), subject.LabelNodeImageVersion)})
		}
	}
}

var (
	// AKSUbuntu-2204gen2containerd-202501.12.0, AKSAzureLinux-V2gen2-202410.09.0
	linuxImageDate = regexp.MustCompile(`-(\d{4})(\d{2})\.(\d{2})\.\d+$`)
	// AKSWindows-2022-containerd-20348.2966.241211
	windowsImageDate = regexp.MustCompile(`\.(\d{2})(\d{2})(\d{2})$`)
)

// imageDate returns the release date encoded in an AKS node image version.
func imageDate(v string) (time.Time, bool) {
	var y, m, d int
	if p := linuxImageDate.FindStringSubmatch(v); p != nil {
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	} else if p := windowsImageDate.FindStringSubmatch(v); p != nil {
		y, m, d = 2000+atoi(p[1]), atoi(p[2]), atoi(p[3])
	} else {
		return time.Time{}, false
	}
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
