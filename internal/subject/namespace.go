package subject

// Namespace is a namespace of the scan: declared by a Namespace object, or implied by the
// namespaced objects placed in it. Namespace-level checks (network policies, quotas, limit
// ranges) report on it.
type Namespace struct {
	Name string
	// Object is the Namespace object, nil when the namespace is only implied.
	Object *Object
}

// Identity implements Subject: a Namespace, located at its object when there is one.
func (n *Namespace) Identity() Identity {
	id := Identity{APIVersion: "v1", Kind: "Namespace", Name: n.Name}
	if n.Object != nil {
		id.Source, id.Input = n.Object.Source, n.Object.Input
	}
	return id
}

// Labels returns the namespace's labels (none when it is only implied).
func (n *Namespace) Labels() map[string]string {
	if n.Object == nil {
		return nil
	}
	return n.Object.Meta.Labels
}
