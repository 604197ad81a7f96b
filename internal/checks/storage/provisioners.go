package storage

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// InTreeProvisioner finds storage classes of the removed in-tree Azure drivers.
var InTreeProvisioner = check.NewOf(check.Meta{
	ID:       "in-tree-storage-provisioner",
	Item:     "storage.storage-type",
	Title:    "Storage classes use the Azure CSI drivers",
	Severity: check.Medium,
	Description: "A StorageClass with the in-tree provisioner kubernetes.io/azure-disk or " +
		"kubernetes.io/azure-file. The in-tree drivers were removed from Kubernetes; AKS redirects them " +
		"to CSI, but new features (ZRS, snapshots, expansion, Premium v2) need the CSI provisioners.",
	Remediation: "Use provisioner disk.csi.azure.com or file.csi.azure.com (or AKS's built-in managed-csi and azurefile-csi classes).",
	Kinds:       []string{"StorageClass"},
}, func(_ context.Context, _ *check.Env, o *subject.Object, sc *storagev1.StorageClass, r *check.Result) {
	if sc.Provisioner == "kubernetes.io/azure-disk" || sc.Provisioner == "kubernetes.io/azure-file" {
		r.Failf("provisioner", "", "StorageClass %s uses the in-tree provisioner %s", o.Name(), sc.Provisioner)
	}
})

// ReadWriteManyOnDisk finds ReadWriteMany claims on Azure disk classes.
var ReadWriteManyOnDisk = check.NewOf(check.Meta{
	ID:          "rwx-on-disk",
	CrossObject: true,
	Item:        "storage.storage-type",
	Title:       "ReadWriteMany claims use a file or blob class",
	Severity:    check.Medium,
	Description: "A PersistentVolumeClaim asking for ReadWriteMany from an Azure disk class (from the scan, or " +
		"one of AKS's built-in disk classes). An Azure disk attaches to one node: the claim never binds, " +
		"or only one node's pods can mount it.",
	Remediation: "Use an Azure Files class (azurefile-csi, azurefile-csi-premium) or Azure Blob for shared volumes.",
	Kinds:       []string{"PersistentVolumeClaim"},
	Requires:    []string{"StorageClass"},
}, func(_ context.Context, env *check.Env, o *subject.Object, pvc *corev1.PersistentVolumeClaim, r *check.Result) {
	if pvc.Spec.StorageClassName == nil || !hasMode(pvc.Spec.AccessModes, corev1.ReadWriteMany) {
		r.NotApplicable()
		return
	}
	c, known := lookupClass(env, *pvc.Spec.StorageClassName)
	if !known {
		r.NotApplicable()
		return
	}
	if c.isDisk() {
		r.Failf("spec.accessModes", "", "PersistentVolumeClaim %s asks ReadWriteMany of disk class %s", o.Name(), *pvc.Spec.StorageClassName)
	}
})

func hasMode(modes []corev1.PersistentVolumeAccessMode, m corev1.PersistentVolumeAccessMode) bool {
	for _, x := range modes {
		if x == m {
			return true
		}
	}
	return false
}

const provisionedByAnnotation = "pv.kubernetes.io/provisioned-by"

// StaticPersistentVolume finds statically provisioned volumes.
var StaticPersistentVolume = check.New(check.Meta{
	ID:       "static-persistent-volume",
	Item:     "storage.dynamic-provisioning",
	Title:    "Persistent volumes are provisioned dynamically",
	Severity: check.Low,
	Description: "A PersistentVolume without the pv.kubernetes.io/provisioned-by annotation was created by hand: " +
		"someone must create, size, secure and delete its disk outside Kubernetes, and it is easily left " +
		"behind or reused by the wrong claim.",
	Remediation: "Let a StorageClass provision volumes for PersistentVolumeClaims instead of writing PersistentVolumes.",
	Kinds:       []string{"PersistentVolume"},
}, func(_ context.Context, _ *check.Env, o *subject.Object, r *check.Result) {
	if _, dynamic := o.Meta.Annotations[provisionedByAnnotation]; !dynamic {
		r.Failf("metadata.annotations", "", "PersistentVolume %s was provisioned statically (no %s annotation)", o.Name(), provisionedByAnnotation)
	}
})

// ClaimStorageClass finds claims that name no storage class.
var ClaimStorageClass = check.NewOf(check.Meta{
	ID:       "claim-storage-class",
	Item:     "storage.dynamic-provisioning",
	Title:    "PersistentVolumeClaims name their StorageClass",
	Severity: check.Low,
	Description: "A PersistentVolumeClaim without storageClassName (or an empty one). Without it the claim " +
		"takes whatever the cluster's default class is at the time, or binds to a hand-made volume; what " +
		"storage the app gets is not written down.",
	Remediation: "Set spec.storageClassName to the class the data needs (for example managed-csi-premium or azurefile-csi).",
	Kinds:       []string{"PersistentVolumeClaim"},
}, func(_ context.Context, _ *check.Env, o *subject.Object, pvc *corev1.PersistentVolumeClaim, r *check.Result) {
	if pvc.Spec.StorageClassName == nil || *pvc.Spec.StorageClassName == "" {
		r.Failf("spec.storageClassName", "", "PersistentVolumeClaim %s names no StorageClass", o.Name())
	}
})
