package cluster

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// maxImageAge is the age from which a node image is stale: AKS ships node images weekly, and
// a node image older than this misses months of OS security fixes.
const maxImageAge = 90 * 24 * time.Hour

// NodeImageAge finds Linux pools on a node image older than 90 days.
var NodeImageAge = check.New(check.Meta{
	ID:       "node-image-age",
	Aliases:  []string{"live-node-image-age"},
	Item:     "ops.node-patching",
	Title:    "Linux node pools run a node image less than 90 days old",
	Severity: check.High,
	Dated:    true,
	Description: "Each Linux pool's nodeImageVersion (az and REST; on a running cluster the label " +
		"kubernetes.azure.com/node-image-version of its nodes, the oldest when they differ) carries the " +
		"image's release date (AKSUbuntu-2204gen2containerd-202501.12.0 was released on 2025-01-12). AKS " +
		"releases node images weekly with the OS security fixes; an image older than 90 days on the scan's " +
		"date means node OS upgrades are not happening. Pools whose image is not given (Terraform, " +
		"templates) are not judged.",
	Remediation: "Set the node OS upgrade channel to NodeImage or SecurityPatch with a maintenance window (az aks update --node-os-upgrade-channel NodeImage), or run az aks nodepool upgrade --node-image-only.",
	Evidence:    imageEvidence,
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	nodeImageAge(env, c, r, false)
})

// WindowsNodeImageAge finds Windows pools on a node image older than 90 days.
var WindowsNodeImageAge = check.New(check.Meta{
	ID:       "windows-node-image-age",
	Aliases:  []string{"live-windows-node-image-age"},
	Item:     "windows.patch-nodes",
	Title:    "Windows node pools run a node image less than 90 days old",
	Severity: check.High,
	Dated:    true,
	Description: "Each Windows pool's nodeImageVersion (on a running cluster the label " +
		"kubernetes.azure.com/node-image-version of its nodes, the oldest when they differ; " +
		"AKSWindows-2022-containerd-20348.2966.241211 was released on 2024-12-11). Windows nodes get no " +
		"unattended patching: the monthly Windows updates reach them only through a new node image.",
	Remediation: "Upgrade the Windows pools' node image every month (az aks nodepool upgrade --node-image-only), or set the node OS upgrade channel to NodeImage.",
	Evidence:    imageEvidence,
}, func(_ context.Context, env *check.Env, c *subject.Cluster, r *check.Result) {
	nodeImageAge(env, c, r, true)
})

func nodeImageAge(env *check.Env, c *subject.Cluster, r *check.Result, windows bool) {
	judged := false
	for _, p := range c.Pools {
		img := p.NodeImageVersion
		if p.OSType.IsUnknown() && img.IsKnown() {
			// The image names its OS.
			if isWindowsImage(img.V) != windows {
				continue
			}
		} else if p.IsWindows() != windows {
			continue
		}
		if img.IsUnknown() {
			// Absent, the input describes no running pool (a template): not judged.
			poolUndecided(r, c, p, "the node image version", img.Attr)
			continue
		}
		if !img.IsKnown() {
			continue
		}
		released, ok := imageDate(img.V)
		if !ok {
			continue
		}
		judged = true
		if age := env.Now.Sub(released); age > maxImageAge {
			poolFail(r, c, p, img.Attr, "runs node image %s, released %s, %d days ago",
				img.V, released.Format(time.DateOnly), int(age.Hours()/24))
		}
	}
	if !judged {
		r.NotApplicable()
	}
}

// isWindowsImage reports whether an AKS node image version is a Windows image.
func isWindowsImage(v string) bool { return strings.HasPrefix(strings.ToUpper(v), "AKSWINDOWS") }

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
