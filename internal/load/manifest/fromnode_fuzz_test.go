package manifest

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil"
)

// FuzzDecodeNode checks the direct decoder against the JSON path it replaces. Every document
// is decoded as each typed kind, whatever kind it says it is (a Pod's fields in a
// Deployment's place exercise the unknown-field and wrong-type paths): the direct decoder
// either gives up (and the JSON path runs) or gives the value json.Unmarshal(toJSON(n))
// gives. It must not give up where the JSON path succeeds on a tree without aliases or merge
// keys, or the speed-up is lost in silence. Findings are kept in testdata/fuzz/FuzzDecodeNode.
func FuzzDecodeNode(f *testing.F) {
	seeds := []string{
		"apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: b}}\nspec:\n  containers:\n  - name: c\n    image: x\n" +
			"    resources: {limits: {cpu: 500m, memory: 1Gi}, requests: {cpu: 0.5}}\n    ports: [{containerPort: 80}]\n",
		"Metadata: {NAME: p}\nSPEC: {Containers: [{Name: c, image: a, IMAGE: b}]}\n",
		"spec: {replicas: 1.5}\n",
		"spec: {replicas: 99999999999}\n",
		"spec: {replicas: \"3\"}\n",
		"spec: {replicas: null, selector: null, template: {spec: {containers: []}}}\n",
		"metadata: {creationTimestamp: 2020-01-01T00:00:00Z}\n",
		"metadata: {creationTimestamp: 2020-01-01}\n",
		"binaryData: {a: aGVsbG8=, b: '!!'}\ndata: {x: 1, y: true, z: ~}\n",
		"binaryData: {a: !!binary aGVsbG8=}\n",
		"spec: {ports: [{port: 80, targetPort: http}, {port: 0x50, targetPort: 8080}]}\n",
		"spec: {ports: [{port: 80, targetPort: 1.5}]}\n",
		"spec: {scaleTargetRef: {name: x}, metrics: [{type: Resource, resource: {name: cpu, target: {averageUtilization: 50, averageValue: 1e3}}}]}\n",
		"spec: {hard: {pods: \"10\", cpu: [1]}}\n",
		"spec: {limits: [{type: Container, default: {cpu: 1}, max: {memory: 1e400}}]}\n",
		"spec: {minAvailable: 50%, maxUnavailable: 1}\n",
		"spec: {capacity: {storage: 10Gi}, accessModes: [ReadWriteOnce, 1, true]}\n",
		"spec: {containers: [{name: \"\\xff\", env: [{name: a, value: \"<&>\\u2028\"}]}]}\n",
		"a: &x {b: 1}\nc: *x\n",
		"<<: {metadata: {name: m}}\nmetadata: {labels: {a: b}}\n",
		"metadata: {name: a, name: b}\n",
		"metadata: {annotations: {1: a, true: b, ~: c}}\n",
		"parameters: {a: [1]}\nallowVolumeExpansion: yes\nreclaimPolicy: 1\n",
		"subjects: [{kind: User, name: u}, null, 1]\nroleRef: {apiGroup: x}\n",
		"{\"spec\": {\"containers\": [{\"name\": \"c\", \"resources\": {\"limits\": {\"cpu\": 1.0}}}]}}",
		"spec: {template: {spec: {containers: [{name: c, livenessProbe: {httpGet: {port: 8080}, initialDelaySeconds: -1}}]}}}\n",
		"metadata: {ownerReferences: [{controller: true, uid: u}], managedFields: [{fieldsV1: {f:spec: {}}}]}\n",
		"spec: {rules: [{http: {paths: [{backend: {service: {name: s, port: {number: 80}}}}]}}]}\n",
		"spec: .inf\nstatus: !!float .nan\n",
		"a: [<, <, <, <]\nb: {c, d, e}\nf: \"\\a\\L\\0\"\ng: [~, -, ?]\n",
	}
	testutil.AddSeeds(f, seeds, filepath.Join("..", "..", "..", "examples", "*", "*.yaml"))
	f.Fuzz(func(t *testing.T, data []byte) {
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			for _, d := range splitDocuments(data) {
				for _, n := range fuzzRoots(d.text) {
					// The direct decoder skips toJSON's budget on alias-free trees: their
					// JSON must fit it without its 1 MiB of slack.
					if raw, err := toJSON(n, 1<<30, 0); err == nil && directDecodable(n, 0) && len(raw) > 16*len(d.text) {
						t.Fatalf("%d bytes of JSON from a %d-byte document without aliases", len(raw), len(d.text))
					}
					for _, k := range subject.TypedKinds() {
						compareDecoders(t, n, k[0], k[1])
					}
				}
			}
		})
	})
}

// fuzzRoots parses a document as YAML and as JSON, and returns the mappings at its root.
func fuzzRoots(text []byte) []*yaml.Node {
	var roots []*yaml.Node
	var doc yaml.Node
	if yaml.Unmarshal(text, &doc) == nil && len(doc.Content) > 0 && doc.Content[0].Kind == yaml.MappingNode {
		roots = append(roots, doc.Content[0])
	}
	if n, err := jsonNode(text, 0); err == nil && n.Kind == yaml.MappingNode {
		roots = append(roots, n)
	}
	return roots
}

func compareDecoders(t *testing.T, n *yaml.Node, apiVersion, kind string) {
	t.Helper()
	direct := subject.NewTyped(apiVersion, kind)
	directErr := decodeNode(n, direct)
	raw, convErr := toJSON(n, 1<<30, 0)
	if convErr != nil {
		if directErr == nil {
			t.Fatalf("%s: the direct decoder accepted what toJSON rejects (%v)", kind, convErr)
		}
		return
	}
	viaJSON := subject.NewTyped(apiVersion, kind)
	jsonErr := json.Unmarshal(raw, viaJSON)
	switch {
	case directErr == nil && jsonErr != nil:
		t.Fatalf("%s: the direct decoder accepted what json.Unmarshal rejects (%v) in %s", kind, jsonErr, raw)
	case directErr != nil && jsonErr == nil && directDecodable(n, 0) && !usesUnhandled(n):
		t.Fatalf("%s: the direct decoder gave up on what json.Unmarshal decodes: %s", kind, raw)
	case directErr == nil && !reflect.DeepEqual(direct, viaJSON):
		a, _ := json.Marshal(direct)
		b, _ := json.Marshal(viaJSON)
		t.Fatalf("%s: the decoders differ on %s\ndirect: %s\njson:   %s\n%s", kind, raw, a, b, fmt.Sprintf("%#v\n%#v", direct, viaJSON))
	}
}

// usesUnhandled reports what the direct decoder leaves to the JSON path on purpose even
// though JSON decodes it: nothing yet among the kinds fuzzed.
func usesUnhandled(*yaml.Node) bool { return false }
