package workload

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// RWOClaimInDeployment finds replicated Deployments that mount a single-node volume.
var RWOClaimInDeployment = check.New(check.Meta{
	ID:          "rwo-claim-in-deployment",
	CrossObject: true,
	Item:        "dev.deployment-type",
	Title:       "Replicated Deployments do not share a ReadWriteOnce volume",
	Severity:    check.Low,
	Description: "A Deployment with 2 or more replicas that mounts a ReadWriteOnce (or ReadWriteOncePod) " +
		"PersistentVolumeClaim in the scan. Only pods on one node can mount the Azure disk behind it: the " +
		"other replicas hang in ContainerCreating, and rolling updates deadlock. Stateful apps belong in a " +
		"StatefulSet with volumeClaimTemplates.",
	Remediation: "Run the workload as a StatefulSet with volumeClaimTemplates, or use a ReadWriteMany class (Azure Files) if the replicas really share data.",
	Example: `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: orders
  namespace: shop
spec:
  replicas: 2
  volumeClaimTemplates:      # one ReadWriteOnce disk per replica
    - metadata:
        name: data
      spec:
        accessModes: ["ReadWriteOnce"]
        storageClassName: managed-csi
        resources:
          requests:
            storage: 10Gi`,
	Kinds:    []string{"Deployment"},
	Requires: []string{"PersistentVolumeClaim"},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	if w.Replicas < 2 {
		r.NotApplicable()
		return
	}
	applied := false
	for i, v := range w.Spec().Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		pvc := env.Index.PersistentVolumeClaim(w.Namespace, v.PersistentVolumeClaim.ClaimName)
		if pvc == nil {
			continue
		}
		applied = true
		for _, m := range pvc.Spec.AccessModes {
			if m == corev1.ReadWriteOnce || m == corev1.ReadWriteOncePod {
				r.Failf(w.SpecPath()+".volumes["+itoa(i)+"]", "", "%s runs %d replicas but mounts %s claim %q", kindNoun(w), w.Replicas, m, pvc.Name)
				break
			}
		}
	}
	if !applied {
		r.NotApplicable()
	}
})
