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
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return clearList(&o.Status.Conditions, drop)
	case *appsv1.StatefulSet:
		return clearList(&o.Status.Conditions, drop)
	case *appsv1.DaemonSet:
		return clearList(&o.Status.Conditions, drop)
	case *appsv1.ReplicaSet:
		return clearList(&o.Status.Conditions, drop)
	case *corev1.ReplicationController:
		return clearList(&o.Status.Conditions, drop)
	case *corev1.Pod:
		s := &o.Status
		return anyOf(clearList(&s.Conditions, drop), clearList(&s.ContainerStatuses, drop),
			clearList(&s.InitContainerStatuses, drop), clearList(&s.EphemeralContainerStatuses, drop))
	case *corev1.Node:
		s := &o.Status
		return anyOf(clearList(&s.Conditions, drop), clearList(&s.VolumesAttached, drop),
			clearList(&s.VolumesInUse, drop), clearList(&s.Addresses, drop), clearList(&s.Images, drop))
	case *corev1.Namespace:
		return clearList(&o.Status.Conditions, drop)
	case *corev1.PersistentVolumeClaim:
		return clearList(&o.Status.Conditions, drop)
	case *corev1.Service:
		return clearList(&o.Status.Conditions, drop)
	case *autoscalingv2.HorizontalPodAutoscaler:
		return clearList(&o.Status.Conditions, drop)
	case *policyv1.PodDisruptionBudget:
		return clearList(&o.Status.Conditions, drop)
	}
	return false
}

// clearList reports whether a list of a status holds anything, and empties it when drop is
// set.
func clearList[T any](l *[]T, drop bool) bool {
	if len(*l) == 0 {
		return false
	}
	if drop {
		*l = nil
	}
	return true
}

// anyOf is an or of values already computed (each list cleared, none skipped).
func anyOf(found ...bool) bool {
	for _, f := range found {
		if f {
			return true
		}
	}
	return false
}
