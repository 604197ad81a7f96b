package subject

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// TestDropUnreadStatus: the conditions, a Pod's container statuses and a Node's images,
// volumes and addresses go; what the checks read (replicas ready, a Pod's phase, a Node's
// kubelet and allocatable) and a Job's conditions stay.
func TestDropUnreadStatus(t *testing.T) {
	t.Parallel()
	deploy := &appsv1.Deployment{Status: appsv1.DeploymentStatus{ReadyReplicas: 2, ObservedGeneration: 3,
		Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Message: "Deployment has minimum availability."}}}}
	pod := &corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning,
		Conditions:        []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
		ContainerStatuses: []corev1.ContainerStatus{{Name: "app", ImageID: "sha256:0123"}}}}
	node := &corev1.Node{Status: corev1.NodeStatus{NodeInfo: corev1.NodeSystemInfo{KubeletVersion: "v1.33.2"},
		Allocatable:     corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3860m")},
		Conditions:      []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
		Addresses:       []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.224.0.4"}},
		Images:          []corev1.ContainerImage{{Names: []string{"mcr.microsoft.com/oss/kubernetes/pause:3.6"}}},
		VolumesInUse:    []corev1.UniqueVolumeName{"kubernetes.io/csi/disk.csi.azure.com^/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/pvc-1"},
		VolumesAttached: []corev1.AttachedVolume{{Name: "kubernetes.io/csi/disk.csi.azure.com^pvc-1", DevicePath: "/dev/sdc"}}}}
	job := &batchv1.Job{Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}}}

	for _, obj := range []any{deploy, pod, node} {
		if !HasUnreadStatus(obj) || !DropUnreadStatus(obj) || HasUnreadStatus(obj) || DropUnreadStatus(obj) {
			t.Errorf("%T: its unread status is not found, or not dropped once", obj)
		}
	}
	if deploy.Status.Conditions != nil || deploy.Status.ReadyReplicas != 2 || deploy.Status.ObservedGeneration != 3 {
		t.Errorf("Deployment status = %+v", deploy.Status)
	}
	if pod.Status.Conditions != nil || pod.Status.ContainerStatuses != nil || pod.Status.Phase != corev1.PodRunning {
		t.Errorf("Pod status = %+v", pod.Status)
	}
	s := node.Status
	if s.Conditions != nil || s.Addresses != nil || s.Images != nil || s.VolumesInUse != nil || s.VolumesAttached != nil ||
		s.NodeInfo.KubeletVersion != "v1.33.2" || s.Allocatable.Cpu().String() != "3860m" {
		t.Errorf("Node status = %+v", s)
	}
	if HasUnreadStatus(job) || DropUnreadStatus(job) || len(job.Status.Conditions) != 1 {
		t.Error("a Job lost its conditions, which guardrails reads")
	}
}
