package subject

import "reflect"

// Subject is anything a check inspects: a Kubernetes object, a workload, a namespace, an AKS
// cluster, a Dockerfile, an image scan report. Loaders produce subjects; checks take one
// subject type each (the type parameter of check.New).
type Subject interface {
	// Identity names the subject in findings.
	Identity() Identity
}

// Identity names a subject in findings: for Kubernetes objects their kind, namespace and name;
// for Azure resources kind is the ARM or Terraform type and name the resource name or address.
type Identity struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	// Source is where the subject starts.
	Source Location
	// Input is the kind of input it came from.
	Input InputKind
}

// Identity implements Subject.
func (o *Object) Identity() Identity {
	return Identity{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Meta.Name, Source: o.Source, Input: o.Input}
}

// TypeOf returns the reflect.Type that identifies a subject type, as check.New records it.
func TypeOf[S Subject]() reflect.Type { return reflect.TypeFor[S]() }

// nouns name the subject types in docs and listings.
var nouns = map[reflect.Type]string{
	reflect.TypeFor[*Object]():                  "all objects",
	reflect.TypeFor[*Workload]():                "all workloads",
	reflect.TypeFor[*Namespace]():               "namespaces",
	reflect.TypeFor[*LiveCluster]():             "running clusters (live API)",
	reflect.TypeFor[*Cluster]():                 "AKS clusters",
	reflect.TypeFor[*Registry]():                "container registries",
	reflect.TypeFor[*Dockerfile]():              "Dockerfiles",
	reflect.TypeFor[*ImageReport]():             "image scan reports",
	reflect.TypeFor[*DefenderRecommendations](): "Defender for Cloud recommendations of AKS clusters",
}

// Noun describes a subject type for docs ("all workloads").
func Noun(t reflect.Type) string {
	if n, ok := nouns[t]; ok {
		return n
	}
	return t.String()
}
