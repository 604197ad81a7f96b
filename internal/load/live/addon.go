package live

import (
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/akscheck/akscheck/internal/subject"
)

// stripAddOn drops from an add-on object what no check reads: managed fields, kubectl's
// last-applied copy, and its status unless keepStatus says a check reads the status of its
// kind (check.StatusReaders: the custom checks of that kind). What an add-on's controller
// reports can be most of the object: the resources an Argo CD Application manages and its
// sync history, a Flux Kustomization's inventory, a Cilium policy's state on every node.
func stripAddOn(u *unstructured.Unstructured, keepStatus func(kind string) bool) {
	if keepStatus == nil || !keepStatus(u.GetKind()) {
		delete(u.Object, "status")
	}
	u.SetManagedFields(nil)
	if a := u.GetAnnotations(); a != nil {
		delete(a, lastApplied)
		if len(a) == 0 {
			a = nil
		}
		u.SetAnnotations(a)
	}
}

// dropUniqueAddOn is dropUnique for an add-on object of a scan (not of the cache, which keeps
// resource versions to tell changes apart).
func dropUniqueAddOn(u *unstructured.Unstructured) {
	u.SetUID("")
	u.SetResourceVersion("")
	u.SetGenerateName("")
	if refs := u.GetOwnerReferences(); len(refs) > 0 {
		for i := range refs {
			refs[i].UID = ""
		}
		u.SetOwnerReferences(refs)
	}
}

// addOnObject turns an add-on object read through the dynamic client (stripped by
// stripAddOn) into a subject as the manifest loader makes one of the same kind: untyped, Raw
// the whole object as JSON, Meta decoded from it. It only reads u, which may be shared with
// the cache.
func addOnObject(k Kind, u *unstructured.Unstructured) (*subject.Object, error) {
	raw, err := json.Marshal(u.Object)
	if err != nil {
		return nil, fmt.Errorf("%s %s/%s: %w", k.Kind, u.GetNamespace(), u.GetName(), err)
	}
	var head struct {
		Metadata metav1.ObjectMeta `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("%s %s/%s: metadata: %w", k.Kind, u.GetNamespace(), u.GetName(), err)
	}
	apiVersion := u.GetAPIVersion()
	if apiVersion == "" {
		apiVersion = k.APIVersion()
	}
	o := &subject.Object{APIVersion: apiVersion, Kind: k.Kind, Meta: &head.Metadata, Input: subject.InputCluster,
		Extra: subject.NewExtra(raw, nil, nil)}
	o.Namespace = o.Meta.Namespace
	o.NamespaceExplicit = o.Namespace != ""
	return o, nil
}

// servesGroup reports whether discovery found any version of group serving resource.
func (s servedKinds) servesGroup(group, resource string) bool {
	for gv, rs := range s.resources {
		if gv.Group == group && rs[resource] {
			return true
		}
	}
	return false
}

// groupResource is a kind's API resource in a group, whatever the version.
func groupResource(group, resource string) schema.GroupResource {
	return schema.GroupResource{Group: group, Resource: resource}
}
