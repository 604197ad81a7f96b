package manifest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLoadStream checks which files take the one-parser path: FuzzStream shows that it
// loads what the per-document path loads, this that the saving is not lost in silence.
func TestLoadStream(t *testing.T) {
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
			if got := streamed([]byte(tt.data)); got != tt.stream {
				t.Errorf("parsed as one stream: %v, want %v", got, tt.stream)
			}
		})
	}
}

// TestLoadStreamExamples checks that every YAML file of examples/k8s is parsed as one stream.
func TestLoadStreamExamples(t *testing.T) {
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
		if !streamed(data) {
			t.Errorf("%s: not parsed as one stream", f)
		}
	}
}

// streamed reports whether loadStream loaded data as one stream, with a node for every
// non-blank document.
func streamed(data []byte) bool {
	docs := splitDocuments(data)
	nodes := 0
	ok := loadStream(data, docs, func(i int) {
		if docs[i].node != nil {
			nodes++
		}
	})
	blank := 0
	for _, d := range docs {
		if isBlank(d.text) {
			blank++
		}
	}
	return ok && nodes > 0 && nodes == len(docs)-blank
}
