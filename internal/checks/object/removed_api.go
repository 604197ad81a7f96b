package object

import (
	"context"
	"fmt"
	"time"

	"github.com/akscheck/akscheck/internal/aksversion"
	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/kubeapi"
	"github.com/akscheck/akscheck/internal/subject"
)

// RemovedAPI finds objects written with an apiVersion Kubernetes deprecated and removed.
var RemovedAPI = check.New(check.Meta{
	ID:       "removed-api",
	Item:     "dev.manifest-practices",
	Title:    "Objects use apiVersions Kubernetes still serves",
	Severity: check.High,
	Dated:    true,
	Description: "An object of a built-in kind written with an apiVersion that Kubernetes removed (apps/v1beta2 and " +
		"extensions/v1beta1 workloads, batch/v1beta1 CronJobs, policy/v1beta1 PodDisruptionBudgets and " +
		"PodSecurityPolicies, autoscaling/v2beta1 and v2beta2 HorizontalPodAutoscalers, v1beta1 Ingresses, RBAC, " +
		"storage, webhooks, CRDs, flow control...: the table of the Kubernetes deprecation guide). The API server " +
		"rejects it from the minor that removed it on, so the deployment fails, or the cluster cannot be upgraded " +
		"while a pipeline still applies it. High when no AKS version in support on the scan's date serves it any " +
		"more (the AKS version data shipped with akscheck, LTS included); medium while one still does. " +
		"Where the schema maps, the object is still evaluated by the other checks as its replacement, converted " +
		"as the API server converted it. Objects read from a running cluster are not judged: the API server " +
		"returns them in the version akscheck asks for.",
	Remediation: "Rewrite the object in the replacement apiVersion (kubectl convert, or by hand following the " +
		"Kubernetes deprecation guide), and change the charts and pipelines that write it.",
	Example: `apiVersion: apps/v1   # not apps/v1beta2 or extensions/v1beta1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:               # required in apps/v1
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: contoso.azurecr.io/web:1.4.2`,
	Evidence: []catalog.Evidence{catalog.Manifest},
}, func(_ context.Context, env *check.Env, o *subject.Object, r *check.Result) {
	d, deprecated := kubeapi.Lookup(o.APIVersion, o.Kind)
	switch {
	case o.Live():
		r.NotApplicable()
	case deprecated:
		r.FailAt(removedSeverity(d, aksversion.Shipped(), env.Now), o.At("apiVersion"), "", "%s", removedMessage(o, d))
	case !kubeapi.Builtin(o.APIVersion, o.Kind):
		// Custom resources: their versions are their CRD's business.
		r.NotApplicable()
	}
})

func removedMessage(o *subject.Object, d kubeapi.Deprecation) string {
	msg := fmt.Sprintf("%s %s uses %s, ", o.Kind, o.Name(), d.APIVersion)
	if d.Removed() {
		msg += "removed in Kubernetes " + d.RemovedIn
	} else {
		msg += "deprecated in Kubernetes " + d.DeprecatedIn
	}
	switch {
	case d.Replacement == "":
		msg += " with no replacement: " + d.Note
	default:
		msg += ": use " + d.Replacement
		if r, chained := kubeapi.Lookup(d.Replacement, d.Kind); chained && r.Removed() {
			msg += " (itself removed in " + r.RemovedIn + ": " + r.Note + ")"
		} else if d.Note != "" {
			msg += " (" + d.Note + ")"
		}
	}
	return msg
}

// removedSeverity is high when no AKS minor in support at now (long-term support included)
// serves the version any more, medium when one still does, low for a version only
// deprecated.
func removedSeverity(d kubeapi.Deprecation, data *aksversion.Data, now time.Time) check.Severity {
	if !d.Removed() {
		return check.Low
	}
	oldest := oldestSupported(data, now)
	if oldest == "" || aksversion.Compare(d.RemovedIn, oldest) <= 0 {
		return check.High
	}
	return check.Medium
}

// oldestSupported is the oldest AKS minor in standard or long-term support at now; "" when
// the data knows none.
func oldestSupported(data *aksversion.Data, now time.Time) string {
	for _, m := range data.Minors {
		if data.Judge(m.Version, true, now).Supported {
			return m.Version
		}
	}
	return ""
}
