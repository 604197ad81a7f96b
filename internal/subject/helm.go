package subject

// HelmRelease is a Helm release deployed in a running cluster, as Helm stores it (a Secret
// of type helm.sh/release.v1): only its name, revision and the objects of its rendered
// manifest. Its values are never read into the model.
type HelmRelease struct {
	Name      string
	Namespace string
	Revision  int
	// Secret is the name of the Secret that stores the release.
	Secret string
	// Objects are the manifest's objects, as the chart wrote them (apiVersion, kind, name,
	// namespace): what Helm applies again on the next upgrade or rollback.
	Objects []HelmObject
}

// HelmObject is one object of a release's manifest.
type HelmObject struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
}

// Identity implements Subject.
func (h *HelmRelease) Identity() Identity {
	return Identity{APIVersion: "v1", Kind: "Secret", Namespace: h.Namespace, Name: h.Secret, Input: InputCluster,
		Source: Location{Kind: "Secret", Name: h.Secret}}
}
