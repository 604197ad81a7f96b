package live

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/subject"
)

// HelmReleaseType is the type of the Secrets in which Helm 3 stores its releases.
const HelmReleaseType = "helm.sh/release.v1"

// maxRelease bounds what one release may decompress to: Helm's own limit on a Secret is
// 1 MiB compressed; a manifest rarely passes a few MiB.
const maxRelease = 32 << 20

// DecodeHelmRelease reads the release Helm stored in a Secret's "release" key (base64 of the
// gzip of the release's JSON, as Helm's storage driver writes it) and returns its name,
// namespace, revision and the objects of its manifest. This is the one place akscheck reads a
// Secret's value: only the manifest is kept, and the chart's values and config are never
// decoded into any type.
func DecodeHelmRelease(data []byte) (*subject.HelmRelease, error) {
	raw := make([]byte, base64.StdEncoding.DecodedLen(len(data)))
	n, err := base64.StdEncoding.Decode(raw, bytes.TrimSpace(data))
	if err != nil {
		return nil, fmt.Errorf("decoding the release: not base64: %w", err)
	}
	raw = raw[:n]
	if len(raw) > 3 && raw[0] == 0x1f && raw[1] == 0x8b && raw[2] == 0x08 {
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("decoding the release: %w", err)
		}
		raw, err = io.ReadAll(io.LimitReader(zr, maxRelease+1))
		if err != nil {
			return nil, fmt.Errorf("decoding the release: %w", err)
		}
		if len(raw) > maxRelease {
			return nil, fmt.Errorf("decoding the release: larger than %d bytes", maxRelease)
		}
	}
	// Only these fields are decoded: config (the values) and chart are skipped by the JSON
	// decoder without being kept.
	var rel struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
		Version   int    `json:"version"`
		Manifest  string `json:"manifest"`
	}
	if err := json.Unmarshal(raw, &rel); err != nil {
		return nil, fmt.Errorf("decoding the release: %w", err)
	}
	h := &subject.HelmRelease{Name: rel.Name, Namespace: rel.Namespace, Revision: rel.Version}
	h.Objects = manifestObjects(rel.Manifest, rel.Namespace)
	return h, nil
}

// manifestObjects reads apiVersion, kind, name and namespace of each document of a rendered
// manifest; documents that are not objects are skipped.
func manifestObjects(manifest, namespace string) []subject.HelmObject {
	var out []subject.HelmObject
	for _, doc := range splitDocuments(manifest) {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil || head.APIVersion == "" || head.Kind == "" {
			continue
		}
		ns := head.Metadata.Namespace
		if ns == "" && !subject.IsClusterScoped(head.Kind) {
			ns = namespace
		}
		out = append(out, subject.HelmObject{APIVersion: head.APIVersion, Kind: head.Kind, Name: head.Metadata.Name, Namespace: ns})
	}
	return out
}

// splitDocuments splits a YAML stream at its "---" lines.
func splitDocuments(s string) []string {
	var docs []string
	var cur strings.Builder
	for line := range strings.Lines(s) {
		if strings.HasPrefix(strings.TrimRight(line, " \t\r\n"), "---") && strings.TrimSpace(strings.TrimLeft(line, "-")) == "" {
			docs = append(docs, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteString(line)
	}
	return append(docs, cur.String())
}

// listHelmReleases reads the deployed Helm releases of the cluster (or of the scan's
// namespace): the Secrets of type helm.sh/release.v1 that Helm labels status=deployed.
// A release that cannot be decoded is an error entry; a cluster that does not let the scan
// read Secrets' data leaves the releases unlisted, with one error entry.
func (l *loader) listHelmReleases(ctx context.Context) {
	client := l.rest[schema.GroupVersion{Version: "v1"}]
	if client == nil {
		return
	}
	opts := metav1.ListOptions{Limit: l.opts.PageSize, FieldSelector: "type=" + HelmReleaseType, LabelSelector: "owner=helm,status=deployed"}
	for {
		rctx, cancel := context.WithTimeout(ctx, l.opts.RequestTimeout)
		list := &corev1.SecretList{}
		err := client.Get().NamespaceIfScoped(l.opts.Namespace, l.opts.Namespace != "").Resource("secrets").
			VersionedParams(&opts, scheme.ParameterCodec).Do(rctx).Into(list)
		cancel()
		if err != nil {
			l.scan.Unlisted["HelmRelease"] = describe(err)
			l.scan.Errors = append(l.scan.Errors, subject.LoadError{Source: l.context,
				Message: "cannot read the Helm releases (Secrets of type " + HelmReleaseType + "): " + describe(err)})
			return
		}
		for i := range list.Items {
			s := &list.Items[i]
			h, err := DecodeHelmRelease(s.Data["release"])
			if err != nil {
				l.scan.Errors = append(l.scan.Errors, subject.LoadError{Source: l.context,
					Message: fmt.Sprintf("Helm release Secret %s/%s: %v", s.Namespace, s.Name, err)})
				continue
			}
			h.Secret = s.Name
			if h.Namespace == "" {
				h.Namespace = s.Namespace
			}
			l.scan.Others = append(l.scan.Others, h)
			// The values leave with the page: nothing of them is kept.
			clear(s.Data)
		}
		if list.Continue == "" {
			return
		}
		opts.Continue = list.Continue
	}
}

// writtenAs returns the apiVersions an object's writers used: its last-applied copy's and
// those of its managedFields entries, each once, in that order.
func writtenAs(om *metav1.ObjectMeta) []string {
	var out []string
	addV := func(v string) {
		// A few versions at most: a map for them was an allocation per object listed.
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if la := om.Annotations[lastApplied]; la != "" {
		var head struct {
			APIVersion string `json:"apiVersion"`
		}
		if err := json.Unmarshal([]byte(la), &head); err == nil {
			addV(head.APIVersion)
		}
	}
	for _, mf := range om.ManagedFields {
		addV(mf.APIVersion)
	}
	return out
}
