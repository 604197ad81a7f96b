package live

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/akscheck/akscheck/internal/subject"
)

// secretValue is a made-up credential in a chart's values: no test output may show it.
const secretValue = "s3cr3t-helm-value-do-not-print"

// encodeRelease writes a release as Helm's storage driver does: JSON, gzip, base64.
func encodeRelease(t testing.TB, rel map[string]any) []byte {
	t.Helper()
	raw, err := json.Marshal(rel)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return []byte(base64.StdEncoding.EncodeToString(buf.Bytes()))
}

// HelmManifest is a release's manifest with an old FlowSchema and a namespaced object that
// sets no namespace.
const helmManifest = `---
# Source: web/templates/flow.yaml
apiVersion: flowcontrol.apiserver.k8s.io/v1beta3
kind: FlowSchema
metadata:
  name: web
---
# Source: web/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
---
`

// HelmRelease is a release as Helm stores it, with values that must never be shown.
func helmRelease(t testing.TB) []byte {
	return encodeRelease(t, map[string]any{
		"name": "web", "namespace": "shop", "version": 3, "manifest": helmManifest,
		"config": map[string]any{"db": map[string]any{"password": secretValue}},
		"chart":  map[string]any{"metadata": map[string]any{"name": "web", "version": "1.2.3"}},
	})
}

func TestDecodeHelmRelease(t *testing.T) {
	t.Parallel()
	h, err := DecodeHelmRelease(helmRelease(t))
	if err != nil {
		t.Fatal(err)
	}
	want := &subject.HelmRelease{Name: "web", Namespace: "shop", Revision: 3, Objects: []subject.HelmObject{
		{APIVersion: "flowcontrol.apiserver.k8s.io/v1beta3", Kind: "FlowSchema", Name: "web"},
		{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", Namespace: "shop"},
	}}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("got %+v, want %+v", h, want)
	}
	if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(
		func() string { b, _ := json.Marshal(h); return string(b) }(), " ", ""), "\n", ""), secretValue) {
		t.Error("the decoded release holds a value of the chart's config")
	}
}

func TestDecodeHelmReleaseErrors(t *testing.T) {
	t.Parallel()
	for name, data := range map[string][]byte{
		"not base64":  []byte("%%%"),
		"not gzip":    []byte(base64.StdEncoding.EncodeToString([]byte{0x1f, 0x8b, 0x08, 0, 1, 2})),
		"not JSON":    []byte(base64.StdEncoding.EncodeToString([]byte("nope"))),
		"JSON string": []byte(base64.StdEncoding.EncodeToString([]byte(`"x"`))),
	} {
		if _, err := DecodeHelmRelease(data); err == nil {
			t.Errorf("%s: no error", name)
		} else if strings.Contains(err.Error(), secretValue) {
			t.Errorf("%s: the error shows a value", name)
		}
	}
	// Helm 2's and very old releases are plain base64 JSON: read as well.
	plain := base64.StdEncoding.EncodeToString([]byte(`{"name":"a","version":1,"manifest":"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"}`))
	h, err := DecodeHelmRelease([]byte(plain))
	if err != nil || len(h.Objects) != 1 {
		t.Errorf("plain release: %+v, %v", h, err)
	}
}

func TestWrittenAs(t *testing.T) {
	t.Parallel()
	om := &metav1.ObjectMeta{
		Annotations: map[string]string{lastApplied: `{"apiVersion":"autoscaling/v2beta2","kind":"HorizontalPodAutoscaler"}`},
		ManagedFields: []metav1.ManagedFieldsEntry{
			{Manager: "kubectl-client-side-apply", APIVersion: "autoscaling/v2beta2"},
			{Manager: "kube-controller-manager", APIVersion: "autoscaling/v2"},
		},
	}
	if got, want := writtenAs(om), []string{"autoscaling/v2beta2", "autoscaling/v2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("writtenAs = %v, want %v", got, want)
	}
	if got := writtenAs(&metav1.ObjectMeta{Annotations: map[string]string{lastApplied: "{not json"}}); got != nil {
		t.Errorf("a broken last-applied copy gave %v", got)
	}
}

// FuzzDecodeHelmRelease feeds the decoder what a Secret may hold: it must never panic nor
// hang, and never return a value of the release's config.
func FuzzDecodeHelmRelease(f *testing.F) {
	f.Add(helmRelease(f))
	f.Add([]byte(base64.StdEncoding.EncodeToString([]byte(`{"manifest":"---\n---\nkind: X\n"}`))))
	f.Add([]byte(""))
	f.Add([]byte("H4sI"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := DecodeHelmRelease(data)
		if err != nil {
			return
		}
		b, _ := json.Marshal(h)
		if bytes.Contains(b, []byte(secretValue)) {
			t.Fatal("a config value reached the decoded release")
		}
	})
}
