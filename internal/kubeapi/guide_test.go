package kubeapi

import (
	"os"
	"reflect"
	"testing"
)

func TestParseGuide(t *testing.T) {
	t.Parallel()
	md, err := os.ReadFile("testdata/guide.md")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseGuide(md)
	if err != nil {
		t.Fatal(err)
	}
	want := []Removal{
		{"flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "1.32", "flowcontrol.apiserver.k8s.io/v1"},
		{"flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", "1.32", "flowcontrol.apiserver.k8s.io/v1"},
		{"policy/v1beta1", "PodSecurityPolicy", "1.25", ""},
		{"node.k8s.io/v1beta1", "RuntimeClass", "1.25", "node.k8s.io/v1"},
		{"storage.k8s.io/v1beta1", "CSIDriver", "1.22", "storage.k8s.io/v1"},
		{"storage.k8s.io/v1beta1", "CSINode", "1.22", "storage.k8s.io/v1"},
		{"storage.k8s.io/v1beta1", "StorageClass", "1.22", "storage.k8s.io/v1"},
		{"storage.k8s.io/v1beta1", "VolumeAttachment", "1.22", "storage.k8s.io/v1"},
		{"extensions/v1beta1", "Deployment", "1.16", "apps/v1"},
		{"apps/v1beta1", "Deployment", "1.16", "apps/v1"},
		{"apps/v1beta2", "Deployment", "1.16", "apps/v1"},
		{"example.k8s.io/v1beta1", "Widget", "1.16", "example.k8s.io/v1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseGuide:\n got %v\nwant %v", got, want)
	}
	// The table agrees with every removal but the made-up one.
	diff := CompareGuide(got)
	if len(diff) != 1 || diff[0] != `missing: example.k8s.io/v1beta1 Widget, removed in 1.16, replacement "example.k8s.io/v1"` {
		t.Errorf("CompareGuide = %q", diff)
	}
	if _, err := ParseGuide([]byte("# nothing\n")); err == nil {
		t.Error("a file without removals parsed")
	}
}
