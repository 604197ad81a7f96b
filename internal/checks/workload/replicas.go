package workload

import (
	"context"
	"fmt"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// Replicas finds Deployments and StatefulSets that run a single pod.
var Replicas = check.New(check.Meta{
	ID:          "replicas",
	CrossObject: true,
	Item:        "dev.replicas",
	Title:       "Deployments and StatefulSets run at least two replicas",
	Severity:    check.Medium,
	Description: "spec.replicas below 2 (unset is 1), unless a HorizontalPodAutoscaler in the scan targets " +
		"the workload with minReplicas of 2 or more. A single replica is down during every node upgrade, " +
		"drain or crash.",
	Remediation: "Set spec.replicas to 2 or more (or an HPA minReplicas of 2 or more), and spread the replicas across nodes.",
	Example: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
spec:
  replicas: 2`,
	Kinds:    scaledKinds,
	Requires: []string{"HorizontalPodAutoscaler"},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	if w.Replicas >= 2 {
		return
	}
	for _, h := range env.Index.HPAsFor(w.Object) {
		if h.MinReplicas >= 2 {
			return
		}
	}
	n := "1 replica"
	if w.Replicas != 1 {
		n = fmt.Sprintf("%d replicas", w.Replicas)
	}
	r.Failf("spec.replicas", "", "%s runs %s: it is down during every node upgrade, drain or crash; run at least 2", kindNoun(w), n)
})
