package workload

import (
	"context"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// DropAllCapabilities finds containers that keep the runtime's default capabilities.
var DropAllCapabilities = linuxCheck(check.Meta{
	ID:       "drop-all-capabilities",
	Item:     "dev.security-context",
	Title:    "Containers drop all capabilities",
	Severity: check.Medium,
	Description: "securityContext.capabilities.drop does not contain ALL. The container runtime grants a " +
		"default set (including NET_RAW, which allows ARP and DNS spoofing on the node network). Pods that target Windows are left out: the setting is Linux-only.",
	Remediation: "Set securityContext.capabilities.drop: [ALL] and add back only the capabilities the app needs.",
	Fix:         "appends ALL to the container's securityContext.capabilities.drop (the capabilities it adds stay added)",
	Example: `spec:
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      securityContext:
        capabilities:
          drop: ["ALL"]
          add: ["NET_BIND_SERVICE"]   # only what the app needs`,
	Admission: linuxOnlyCEL(eachContainerCEL("variables.containers",
		"!c.?securityContext.?capabilities.?drop.orValue([]).exists(d, d.matches('^(?i)all$'))", "do not drop ALL capabilities")),
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		if !dropsAll(c.SecurityContext) {
			path := c.Path + ".securityContext.capabilities.drop"
			fix := &check.Fix{Edits: []check.Edit{{Op: check.EditAppend, Path: path, Value: "ALL"}},
				Note: "a capability the app needs (NET_BIND_SERVICE for a port below 1024) must be in capabilities.add"}
			r.FailFixf(path, c.Name, fix, "container %q of %s does not drop ALL capabilities", c.Name, kindNoun(w))
		}
	}
})

func dropsAll(sc *corev1.SecurityContext) bool {
	if sc == nil || sc.Capabilities == nil {
		return false
	}
	for _, d := range sc.Capabilities.Drop {
		if strings.EqualFold(string(d), "ALL") {
			return true
		}
	}
	return false
}

// dangerous are the capabilities that amount to node access or network control.
var dangerous = map[string]bool{"SYS_ADMIN": true, "NET_ADMIN": true, "NET_RAW": true, "SYS_PTRACE": true, "SYS_MODULE": true, "ALL": true}

// DangerousCapabilities finds containers that add powerful capabilities.
var DangerousCapabilities = check.New(check.Meta{
	ID:       "dangerous-capabilities",
	Item:     "dev.security-context",
	Title:    "Containers add no dangerous capabilities",
	Severity: check.High,
	Description: "securityContext.capabilities.add contains SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE, " +
		"SYS_MODULE or ALL. Each of them gives a way out of the container or over the node's network.",
	Remediation: "Remove the capability; if the workload really needs it, run it in a dedicated, isolated node pool and exempt it with a reason.",
	Example: `spec:
  containers:
    - name: web
      image: contoso.azurecr.io/web:2.1.0
      securityContext:
        capabilities:
          drop: ["ALL"]
          add: ["NET_BIND_SERVICE"]   # no SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE or SYS_MODULE`,
	// Case-insensitive with an optional CAP_ prefix, as the check upper-cases and trims it.
	Admission: eachContainerCEL("variables.containers",
		"c.?securityContext.?capabilities.?add.orValue([]).exists(a, a.matches("+strconv.Quote("^(?i)(CAP_)?("+dangerousPattern()+")$")+"))",
		"add a dangerous capability (SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE, SYS_MODULE or ALL)"),
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	for _, c := range w.Containers() {
		if c.SecurityContext == nil || c.SecurityContext.Capabilities == nil {
			continue
		}
		var found []string
		for _, a := range c.SecurityContext.Capabilities.Add {
			name := strings.TrimPrefix(strings.ToUpper(string(a)), "CAP_")
			if dangerous[name] {
				found = append(found, name)
			}
		}
		if len(found) > 0 {
			r.Failf(c.Path+".securityContext.capabilities.add", c.Name, "container %q of %s adds %s", c.Name, kindNoun(w), strings.Join(found, ", "))
		}
	}
})

// dangerousPattern is the dangerous capabilities as a regular expression alternation.
func dangerousPattern() string {
	names := make([]string, 0, len(dangerous))
	for n := range dangerous {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, "|")
}
