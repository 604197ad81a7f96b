package subject

import "strings"

// checkerKind is one in-cluster checker of a cluster's configuration or security akscheck
// knows, with the ways its workloads show it.
type checkerKind struct {
	name string
	// labels are label pairs (key=value) of its workloads or pods.
	labels []string
	// images are its images' repository paths without the registry ("aquasec/kube-bench"):
	// a mirror in a private registry keeps the path, so they match a repository equal to
	// the path or ending in "/" + path.
	images []string
}

// clusterCheckers is the one table of in-cluster checkers: akscheck itself, kube-bench,
// Polaris, Kubescape and trivy-operator, by the labels of their charts and manifests and by
// their images.
var clusterCheckers = []checkerKind{
	{name: "akscheck", labels: []string{"app.kubernetes.io/name=akscheck"}, images: []string{"akscheck"}},
	{name: "kube-bench", labels: []string{"app=kube-bench", "app.kubernetes.io/name=kube-bench"},
		images: []string{"aquasec/kube-bench"}},
	{name: "Polaris", labels: []string{"app=polaris", "app.kubernetes.io/name=polaris"},
		images: []string{"fairwinds/polaris"}},
	{name: "Kubescape", labels: []string{"app=kubescape", "app.kubernetes.io/name=kubescape"},
		images: []string{"kubescape/kubescape", "kubescape/operator"}},
	{name: "trivy-operator", labels: []string{"app.kubernetes.io/name=trivy-operator"},
		images: []string{"aquasecurity/trivy-operator", "aquasec/trivy-operator"}},
}

// ClusterCheckerNames names the checkers ClusterChecker knows, for messages and docs.
func ClusterCheckerNames() []string {
	out := make([]string, len(clusterCheckers))
	for i, k := range clusterCheckers {
		out[i] = k.name
	}
	return out
}

// ClusterChecker returns the name of the in-cluster checker a workload runs ("kube-bench"),
// or "": known by its labels or its pod template's, else by the images of its app
// containers. A checker's admission webhook (app.kubernetes.io/component or component
// "webhook": akscheck's, Polaris's) judges what is applied, not the cluster: it is not one.
func (w *Workload) ClusterChecker() string {
	for _, l := range []map[string]string{w.Meta.Labels, w.PodLabels()} {
		if l["app.kubernetes.io/component"] == "webhook" || l["component"] == "webhook" {
			return ""
		}
	}
	for _, k := range clusterCheckers {
		for _, pair := range k.labels {
			key, value, _ := strings.Cut(pair, "=")
			if w.Meta.Labels[key] == value || w.PodLabels()[key] == value {
				return k.name
			}
		}
	}
	for _, k := range clusterCheckers {
		for _, ref := range w.AppImages() {
			if !ref.Valid {
				continue
			}
			for _, path := range k.images {
				if ref.Repository == path || strings.HasSuffix(ref.Repository, "/"+path) {
					return k.name
				}
			}
		}
	}
	return ""
}
