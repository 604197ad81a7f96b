package subject

import "encoding/json"

// KEDADefaultMaxReplicas is a KEDA ScaledObject's maxReplicaCount when it sets none.
const KEDADefaultMaxReplicas = 100

// ScaledObjectFor returns the largest replica count of the KEDA ScaledObject in w's namespace
// that scales w (its maxReplicaCount, or KEDA's default), and whether there is one. A
// scaleTargetRef without a kind means a Deployment, as KEDA reads it.
func (ix *Index) ScaledObjectFor(w *Workload) (maxReplicas int32, ok bool) {
	for _, o := range ix.InNamespace("ScaledObject", w.Namespace) {
		var so struct {
			Spec struct {
				ScaleTargetRef struct {
					Kind string `json:"kind"`
					Name string `json:"name"`
				} `json:"scaleTargetRef"`
				MaxReplicaCount *int32 `json:"maxReplicaCount"`
			} `json:"spec"`
		}
		if json.Unmarshal(o.Raw(), &so) != nil {
			continue
		}
		kind := so.Spec.ScaleTargetRef.Kind
		if kind == "" {
			kind = "Deployment"
		}
		if kind == w.Kind && so.Spec.ScaleTargetRef.Name == w.Name() {
			if so.Spec.MaxReplicaCount != nil {
				return *so.Spec.MaxReplicaCount, true
			}
			return KEDADefaultMaxReplicas, true
		}
	}
	return 0, false
}
