package subject

// Namespace is a namespace of the scan: declared by a Namespace object, or implied by the
// namespaced objects placed in it. Namespace-level checks (network policies, quotas, limit
// ranges) report on it.
type Namespace struct {
	// Name is the namespace's name; empty for the implicit namespace.
	Name string
	// Object is the Namespace object, nil when the namespace is only implied.
	Object *Object
	// Implicit marks the namespace that objects which name none are applied to (kubectl's
	// current namespace, a GitOps tool's target): unknown by name, but a namespace all the
	// same, with the objects of the scan that name none (their Namespace is "").
	Implicit bool
	// Source and Input locate a namespace without a Namespace object at the first object
	// placed in it.
	Source Location
	Input  InputKind
}

// ImplicitNamespaceName is how reports name the implicit namespace.
const ImplicitNamespaceName = "(the namespace these objects are applied to)"

// Identity implements Subject: a Namespace, located at its object when there is one, else
// at the first object placed in it.
func (n *Namespace) Identity() Identity {
	id := Identity{APIVersion: "v1", Kind: "Namespace", Name: n.Name, Source: n.Source, Input: n.Input}
	if n.Object != nil {
		id.Source, id.Input = n.Object.Source, n.Object.Input
	}
	if n.Implicit {
		id.Name = ImplicitNamespaceName
	}
	return id
}

// String names the namespace in messages: "namespace shop", or "the namespace these objects
// are applied to".
func (n *Namespace) String() string { return NamespaceNoun(n.Name) }

// NamespaceNoun names a namespace of namespaced objects in messages; "" is the implicit
// namespace.
func NamespaceNoun(name string) string {
	if name == "" {
		return "the namespace these objects are applied to"
	}
	return "namespace " + name
}

// Labels returns the namespace's labels (none when it is only implied).
func (n *Namespace) Labels() map[string]string {
	if n.Object == nil {
		return nil
	}
	return n.Object.Meta.Labels
}
