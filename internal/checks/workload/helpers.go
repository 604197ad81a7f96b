// Package workload holds the checks that inspect pod templates: probes, resources, security
// context, images, labels and pod placement. Each check is one file with its metadata and
// logic; its fixtures are in testdata/<check-id>/.
package workload

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// Kind lists shared by several checks.
var (
	longRunningKinds = []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Pod"}
	replicatedKinds  = []string{"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}
	scaledKinds      = []string{"Deployment", "StatefulSet"}
)

// effectiveSecurityContext resolves the container-over-pod settings of the security context.
type effectiveSecurityContext struct {
	runAsNonRoot *bool
	runAsUser    *int64
	seccomp      *corev1.SeccompProfile
}

func resolveSecurityContext(spec *corev1.PodSpec, c *corev1.Container) effectiveSecurityContext {
	var e effectiveSecurityContext
	if p := spec.SecurityContext; p != nil {
		e.runAsNonRoot, e.runAsUser, e.seccomp = p.RunAsNonRoot, p.RunAsUser, p.SeccompProfile
	}
	if s := c.SecurityContext; s != nil {
		if s.RunAsNonRoot != nil {
			e.runAsNonRoot = s.RunAsNonRoot
		}
		if s.RunAsUser != nil {
			e.runAsUser = s.RunAsUser
		}
		if s.SeccompProfile != nil {
			e.seccomp = s.SeccompProfile
		}
	}
	return e
}

func isTrue(b *bool) bool  { return b != nil && *b }
func isFalse(b *bool) bool { return b != nil && !*b }

// kindNoun is "Deployment web" style naming for messages.
func kindNoun(w *subject.Workload) string { return w.Kind + " " + w.Name() }

func joinQuoted(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "\"" + x + "\""
	}
	return strings.Join(q, ", ")
}

// linuxCheck builds a check of a Linux-only setting: a workload that targets Windows is not
// applicable, since the API server rejects the setting for Windows pods.
func linuxCheck(m check.Meta, fn func(ctx context.Context, env *check.Env, w *subject.Workload, r *check.Result)) *check.Check {
	return check.New(m, func(ctx context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
		if w.TargetsWindows() {
			r.NotApplicable()
			return
		}
		fn(ctx, env, w, r)
	})
}

// unsetResources returns those of fields ("requests.cpu", "limits.memory") that res does not
// set.
func unsetResources(res corev1.ResourceRequirements, fields ...string) []string {
	var missing []string
	for _, f := range fields {
		kind, name, _ := strings.Cut(f, ".")
		set := res.Requests
		if kind == "limits" {
			set = res.Limits
		}
		if _, ok := set[corev1.ResourceName(name)]; !ok {
			missing = append(missing, f)
		}
	}
	return missing
}

func itoa(i int) string { return strconv.Itoa(i) }

// eachContainerCEL is the admission form of a check that fails the containers of list (a CEL
// list: variables.containers, variables.resourceContainers or variables.appContainers) for which failing, a CEL condition on
// c, holds; fault says what they do wrong ("run privileged").
func eachContainerCEL(list, failing, fault string) *check.AdmissionCEL {
	return &check.AdmissionCEL{
		Expression: fmt.Sprintf("!%s.exists(c, %s)", list, failing),
		Message: fmt.Sprintf(`'container(s) ' + %s.filter(c, %s).map(c, '"' + c.name + '"').join(', ') + ' of ' + variables.subject + %s`,
			list, failing, strconv.Quote(" "+fault)),
	}
}

// linuxOnlyCEL is the admission form of a linuxCheck: pods that target Windows pass.
func linuxOnlyCEL(a *check.AdmissionCEL) *check.AdmissionCEL {
	a.Expression = "variables.targetsWindows || (" + a.Expression + ")"
	return a
}

// keyPath is the field path of key in the map at base: base.key for a plain key, and
// base["app.kubernetes.io/name"] for one with dots, slashes or other characters a dotted path
// cannot hold.
func keyPath(base, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			plain = false
			break
		}
	}
	if plain {
		return base + "." + key
	}
	return base + "[" + strconv.Quote(key) + "]"
}
