package storage

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks/cluster"
	"github.com/akscheck/akscheck/internal/subject"
)

// taggingProvisioners are the Azure storage drivers that tag what they create with the
// StorageClass's tags parameter (the azuredisk, azurefile and blob CSI drivers' documented
// parameters; the in-tree drivers, which AKS redirects to them, took the same parameter).
var taggingProvisioners = map[string]string{
	"disk.csi.azure.com":       "managed disks",
	"file.csi.azure.com":       "file shares and storage accounts",
	"blob.csi.azure.com":       "storage accounts",
	"kubernetes.io/azure-disk": "managed disks",
	"kubernetes.io/azure-file": "file shares and storage accounts",
}

// StorageClassTags finds Azure storage classes whose volumes are created without the
// required Azure tags.
var StorageClassTags = check.NewOf(check.Meta{
	ID:          "storage-class-azure-tags",
	CrossObject: true,
	Item:        "dev.tags",
	Title:       "Azure storage classes tag the disks and shares they create",
	Severity:    check.Low,
	Description: "A StorageClass of the Azure disk, file or blob driver creates an Azure resource for every " +
		"volume (a managed disk, a file share, a storage account) and tags it with its tags parameter " +
		"(\"key1=value1,key2=value2\"; tagValueDelimiter changes the separator) and nothing else: the cluster's " +
		"tags reach the resources AKS manages (load balancer, public IPs, route table, node resource group), " +
		"not the volumes. The parameter must carry the tag keys of --required-tag (requiredTags) with a value; " +
		"with no key configured, at least one tag. A tags parameter that does not parse makes the driver " +
		"refuse to provision. Live, only classes that a PersistentVolumeClaim of the scan uses are judged " +
		"(AKS's built-in classes carry no tags and cannot be changed: use a class of your own).",
	Remediation: "Add a tags parameter with the required tags to the StorageClass (parameters are immutable: create a new class and move the claims to it); volumes created before keep their tags.",
	Example: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: managed-csi-premium-zrs
provisioner: disk.csi.azure.com
parameters:
  skuName: Premium_ZRS
  tags: costcenter=4711,owner=shop-team`,
	Kinds:    []string{"StorageClass"},
	Requires: []string{"PersistentVolumeClaim"},
	Settings: []check.Setting{cluster.RequiredTagsSetting},
}, func(_ context.Context, env *check.Env, o *subject.Object, sc *storagev1.StorageClass, r *check.Result) {
	what, ok := taggingProvisioners[sc.Provisioner]
	if !ok || (o.Live() && !claimed(env, sc)) {
		r.NotApplicable()
		return
	}
	raw, set := sc.Parameters["tags"]
	path := "parameters.tags"
	if !set {
		path = "parameters"
		if len(sc.Parameters) == 0 {
			path = "provisioner"
		}
	}
	tags, err := parseTags(raw, sc.Parameters["tagValueDelimiter"])
	if err != nil {
		r.Failf(path, "", "StorageClass %s: the tags parameter does not parse (%v): the %s driver refuses to provision its volumes", o.Name(), err, sc.Provisioner)
		return
	}
	required := cluster.RequiredTagsSetting.Get(env)
	var missing []string
	for _, key := range required {
		found := false
		for k, v := range tags {
			found = found || (strings.EqualFold(k, key) && v != "")
		}
		if !found {
			missing = append(missing, key)
		}
	}
	switch {
	case len(required) == 0 && len(tags) == 0:
		r.Failf(path, "", "StorageClass %s sets no tags parameter: the %s it creates carry no Azure tag", o.Name(), what)
	case len(missing) > 0:
		r.Failf(path, "", "the %s StorageClass %s creates lack tag %s (parameters.tags)", what, o.Name(), strings.Join(missing, ", "))
	}
})

// claimed reports whether a PersistentVolumeClaim of the scan asks for a storage class, by
// name or, when it names none, as the cluster's default class.
func claimed(env *check.Env, sc *storagev1.StorageClass) bool {
	isDefault := sc.Annotations["storageclass.kubernetes.io/is-default-class"] == "true"
	for _, o := range env.Index.ObjectsOfKind("PersistentVolumeClaim") {
		pvc, ok := o.Body().(*corev1.PersistentVolumeClaim)
		if !ok {
			continue
		}
		if name := pvc.Spec.StorageClassName; (name != nil && *name == sc.Name) || (name == nil && isDefault) {
			return true
		}
	}
	return false
}

// parseTags reads a tags parameter as the Azure storage drivers do: key=value pairs separated
// by commas (or by delimiter when tagValueDelimiter sets one), spaces trimmed; a pair without
// "=" or with an empty key is an error.
func parseTags(s, delimiter string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	if delimiter == "" {
		delimiter = ","
	}
	for _, pair := range strings.Split(s, delimiter) {
		k, v, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", strings.TrimSpace(pair))
		}
		out[k] = strings.TrimSpace(v)
	}
	return out, nil
}
