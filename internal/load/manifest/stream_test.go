package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestParseStream checks which files take the one-parser path: FuzzStream shows that it
// loads what the per-document path loads, this that the saving is not lost in silence.
func TestParseStream(t *testing.T) {
	t.Parallel()
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
	tests := []struct {
		name, data string
		stream     bool
	}{
		{"one document", cm, true},
		{"markers, blank and comment-only documents", "# c\n---\n" + cm + "---\n\n---\n# c\n...\n---\n" + cm, true},
		{"document after an end marker without a start marker", cm + "...\n" + cm, false},
		{"CRLF", "a: 1\r\n---\r\nb: 2\r\n", true},
		{"alias within its document", "a: &x 1\nb: *x\n---\nc: &x 2\nd: *x\n", true},
		{"alias to the document before", "a: &x 1\n---\nb: *x\n", false},
		{"directive", "%YAML 1.2\n---\n" + cm, false},
		{"inline document", "--- {a: 1}\n", false},
		{"malformed document", cm + "---\na: [\n---\n" + cm, false},
		{"lone CR", "a: \"x\ry\"\n", false},
		{"line separator", "a: \"x\u2028y\"\n", false},
		{"invalid UTF-8", "a: \xff\n", false},
		{"byte-order mark", cm + "---\n\ufeff" + cm, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			docs := splitDocuments([]byte(tt.data))
			parseStream([]byte(tt.data), docs)
			if got := streamed(docs); got != tt.stream {
				t.Errorf("parsed as one stream: %v, want %v", got, tt.stream)
			}
		})
	}
}

// TestParseStreamExamples checks that every YAML file of examples/k8s is parsed as one stream.
func TestParseStreamExamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "examples", "k8s", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs := splitDocuments(data)
		parseStream(data, docs)
		if !streamed(docs) {
			t.Errorf("%s: not parsed as one stream", f)
		}
	}
}

// streamed reports whether parseStream gave every non-blank document its node.
func streamed(docs []document) bool {
	some := false
	for _, d := range docs {
		if isBlank(d.text) {
			continue
		}
		if d.node == nil {
			return false
		}
		some = true
	}
	return some
}
