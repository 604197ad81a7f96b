// Package storage holds the checks of the Storage section: dynamic provisioning, storage
// types and zone-redundant storage. Each check is one file with its metadata and logic;
// fixtures are in testdata/<check-id>/.
package storage

import (
	"strings"

	storagev1 "k8s.io/api/storage/v1"

	"github.com/akscheck/akscheck/internal/check"
)

// class is what the checks need to know of a storage class.
type class struct {
	provisioner string
	skuName     string
}

// builtinClasses are the storage classes AKS creates in every cluster, so that claims naming
// them can be judged without the class in the scan.
var builtinClasses = map[string]class{
	"default":                {"disk.csi.azure.com", "StandardSSD_LRS"},
	"managed":                {"disk.csi.azure.com", "StandardSSD_LRS"},
	"managed-csi":            {"disk.csi.azure.com", "StandardSSD_LRS"},
	"managed-csi-premium":    {"disk.csi.azure.com", "Premium_LRS"},
	"managed-premium":        {"disk.csi.azure.com", "Premium_LRS"},
	"azurefile":              {"file.csi.azure.com", "Standard_LRS"},
	"azurefile-csi":          {"file.csi.azure.com", "Standard_LRS"},
	"azurefile-csi-premium":  {"file.csi.azure.com", "Premium_LRS"},
	"azurefile-premium":      {"file.csi.azure.com", "Premium_LRS"},
	"azureblob-nfs-premium":  {"blob.csi.azure.com", "Premium_LRS"},
	"azureblob-fuse-premium": {"blob.csi.azure.com", "Premium_LRS"},
}

// defaultClassName is the class a claim without storageClassName gets: the scan's class
// annotated as default, else AKS's built-in default.
func defaultClassName(env *check.Env) string {
	for _, o := range env.Index.OfKind("StorageClass") {
		if o.Meta.Annotations["storageclass.kubernetes.io/is-default-class"] == "true" {
			return o.Name()
		}
	}
	return "default"
}

// lookupClass finds a class in the scan, else among AKS's built-in classes.
func lookupClass(env *check.Env, name string) (class, bool) {
	if o := env.Index.Get("StorageClass", "", name); o != nil {
		if sc, ok := o.Body().(*storagev1.StorageClass); ok {
			sku := ""
			for _, key := range []string{"skuName", "skuname", "storageaccounttype", "storageAccountType"} {
				if v := sc.Parameters[key]; v != "" {
					sku = v
					break
				}
			}
			c := class{provisioner: sc.Provisioner, skuName: sku}
			if sku == "" && c.isDisk() {
				c.skuName = "StandardSSD_LRS" // the Azure disk CSI driver's default
			}
			return c, true
		}
	}
	c, ok := builtinClasses[name]
	return c, ok
}

func (c class) isDisk() bool {
	return c.provisioner == "disk.csi.azure.com" || c.provisioner == "kubernetes.io/azure-disk"
}

func (c class) locallyRedundant() bool { return strings.HasSuffix(strings.ToUpper(c.skuName), "_LRS") }
