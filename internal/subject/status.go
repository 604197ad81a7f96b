package subject

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
)

// DropUnreadStatus clears the parts of a typed object's status that no built-in check reads
// and that a running cluster fills for every object: the conditions of the workloads, Pods,
// Nodes, Namespaces, claims, Services, autoscalers and budgets (each a type, a reason and a
// message of its own, and times); a Pod's container statuses; a Node's attached volumes
// (every Azure disk on it, by its resource ID), addresses and images. A Job keeps its
// conditions: guardrails reads whether it completed. It reports whether it cleared anything.
//
// A custom check reads the whole object: the live loader and the cluster cache keep the
// status of the kinds custom checks name (check.StatusReaders), and checktest runs every
// built-in check's fixtures again without it (SameWithoutStatus).
func DropUnreadStatus(obj any) bool { return unreadStatus(obj, true) }

// HasUnreadStatus reports whether DropUnreadStatus would clear anything of obj.
func HasUnreadStatus(obj any) bool { return unreadStatus(obj, false) }

func unreadStatus(obj any, drop bool) bool {
	found := false
	cut := func(n int, zero func()) {
		if n > 0 {
			found = true
			if drop {
				zero()
			}
		}
	}
	switch o := obj.(type) {
	case *appsv1.Deployment:
		cut(len(o.Status.Conditions), func() { o.Status.Conditions = nil })
	case *appsv1.StatefulSet:
		cut(len(o.Status.Conditions), func() { o.Status.Conditions = nil })
	case *appsv1.DaemonSet:
		cut(len(o.Status.Conditions), func() { o.Status.Conditions = nil })
	case *appsv1.ReplicaSet:
		cut(len(o.Status.Conditions), func() { o.Status.Conditions = nil })
	case *corev1.ReplicationController:
		cut(len(o.Status.Conditions), func() { o.Status.Conditions = nil })
	case *corev1.Pod:
		s := &o.Status
		cut(len(s.Conditions), func() { s.Conditions = nil })
		cut(len(s.ContainerStatuses)+len(s.InitContainerStatuses)+len(s.EphemeralContainerStatuses), func() {
			s.ContainerStatuses, s.InitContainerStatuses, s.EphemeralContainerStatuses = nil, nil, nil
		})
	case *corev1.Node:
		s := &o.Status
		cut(len(s.Conditions), func() { s.Conditions = nil })
		cut(len(s.VolumesAttached)+len(s.VolumesInUse), func() { s.VolumesAttached, s.VolumesInUse = nil, nil })
		cut(len(s.Addresses), func() { s.Addresses = nil })
		cut(len(s.Images), func() { s.Images = nil })
	case *corev1.Namespace:
		cut(len(o.Status.Conditions), func() { o.Status.Conditions = nil })
	case *corev1.PersistentVolumeClaim:
		cut(len(o.Status.Conditions), func() { o.Status.Conditions = nil })
	case *corev1.Service:
		cut(len(o.Status.Conditions), func() { o.Status.Conditions = nil })
	case *autoscalingv2.HorizontalPodAutoscaler:
		cut(len(o.Status.Conditions), func() { o.Status.Conditions = nil })
	case *policyv1.PodDisruptionBudget:
		cut(len(o.Status.Conditions), func() { o.Status.Conditions = nil })
	}
	return found
}
