package workload

import (
	"context"
	"strconv"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// mirrorPodAnnotation marks static pods that the kubelet mirrors into the API.
const mirrorPodAnnotation = "kubernetes.io/config.mirror"

// NakedPod finds Pods that no controller owns.
var NakedPod = check.New(check.Meta{
	ID:       "naked-pod",
	Item:     "dev.no-naked-pods",
	Title:    "Pods are managed by a controller",
	Severity: check.Medium,
	Description: "A Pod without ownerReferences (static mirror pods are left out). Nothing recreates a " +
		"naked pod when its node is drained, upgraded or lost, so AKS node upgrades silently delete it.",
	Remediation: "Run the pod from a Deployment, StatefulSet, DaemonSet or Job.",
	Example: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: worker
  template:
    metadata:
      labels:
        app.kubernetes.io/name: worker
    spec:
      containers:
        - name: worker
          image: contoso.azurecr.io/worker:1.2.0`,
	Kinds: []string{"Pod"},
	Admission: &check.AdmissionCEL{
		Expression: strconv.Quote(mirrorPodAnnotation) + " in object.metadata.?annotations.orValue({}) || object.metadata.?ownerReferences.orValue([]).size() > 0",
		Message:    "'Pod ' + object.metadata.name + ' is not managed by a controller'",
	},
}, func(_ context.Context, _ *check.Env, w *subject.Workload, r *check.Result) {
	if _, mirror := w.Meta.Annotations[mirrorPodAnnotation]; mirror {
		r.NotApplicable()
		return
	}
	if len(w.Meta.OwnerReferences) == 0 {
		r.Failf("metadata", "", "Pod %s is not managed by a controller", w.Name())
	}
})
