package subject

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Controlled is the form a running cluster's object is kept in when its controller is a
// workload the scan also holds: the Pods of a ReplicaSet, the ReplicaSets of a Deployment, the
// Jobs of a CronJob. The index judges such an object at its controller (no workload view,
// no subject of its own), so of it the checks read only its name and owners (to walk up to
// the controller) and, for a Pod, the node it runs on and its phase. Pods and ReplicaSets
// are most of a large cluster, and a *corev1.Pod or *appsv1.ReplicaSet is 1.2 KB before a
// field is set; this is the metadata that names the object and two strings. Its labels,
// annotations and finalizers are not kept: no check reads them of an object its controller
// stands for, and a Pod's are often its own (a StatefulSet's pod name and index, a network
// plugin's or a sidecar's status), a map per Pod. Read a Pod's placement with PodPlacement,
// which takes either form.
//
// It is a runtime.Object so that the cluster cache's informers can store it in place of the
// object they listed.
type Controlled struct {
	metav1.ObjectMeta
	// NodeName and Phase are a Pod's spec.nodeName and status.phase; empty for other kinds.
	NodeName string
	Phase    corev1.PodPhase
}

// NewControlled returns the Controlled form of a Pod, ReplicaSet or Job (any object that has
// metadata), with a Pod's placement. What it keeps of the metadata (names, owners, versions,
// times) is the object's own, not a copy: the cluster cache tells changes apart by the
// resource version and generation.
func NewControlled(obj runtime.Object) *Controlled {
	om := MetaOf(obj)
	if om == nil {
		return nil
	}
	c := &Controlled{ObjectMeta: metav1.ObjectMeta{Name: om.Name, GenerateName: om.GenerateName, Namespace: om.Namespace,
		UID: om.UID, ResourceVersion: om.ResourceVersion, Generation: om.Generation,
		CreationTimestamp: om.CreationTimestamp, DeletionTimestamp: om.DeletionTimestamp,
		OwnerReferences: om.OwnerReferences}}
	if pod, ok := obj.(*corev1.Pod); ok {
		c.NodeName, c.Phase = pod.Spec.NodeName, pod.Status.Phase
	}
	return c
}

// GetObjectKind is runtime.Object's: a Controlled carries no type; its Object has the kind.
func (c *Controlled) GetObjectKind() schema.ObjectKind { return schema.EmptyObjectKind }

// DeepCopyObject is runtime.Object's.
func (c *Controlled) DeepCopyObject() runtime.Object {
	if c == nil {
		return nil
	}
	out := &Controlled{NodeName: c.NodeName, Phase: c.Phase}
	c.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	return out
}

// PodPlacement returns the node a Pod is scheduled on ("" when it is not) and its phase,
// whether the scan holds the Pod whole or in its Controlled form; ok is false for an object
// that is not a Pod.
func PodPlacement(o *Object) (node string, phase corev1.PodPhase, ok bool) {
	if o.Kind != "Pod" {
		return "", "", false
	}
	switch t := o.Body().(type) {
	case *corev1.Pod:
		return t.Spec.NodeName, t.Status.Phase, true
	case *Controlled:
		return t.NodeName, t.Phase, true
	}
	return "", "", false
}
