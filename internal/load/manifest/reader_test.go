package manifest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/testutil"
)

// readerSeeds are streams whose documents are cut, lined and decoded in every way the
// loader knows: inline documents after ---, ... ends, blank and comment documents, a BOM,
// CRLF, bad documents between good ones, no final newline, long lines.
func readerSeeds() []string {
	cm := func(name, body string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\n" + body
	}
	return []string{
		"", "---", "---\n", "\n\n", "# only a comment\n",
		cm("a", "data: {a: b}\n") + "---\n" + cm("b", "data:\n  k: |+\n    x\n\n") + "---\n" + cm("c", ""),
		"# head\n---\n\n---\n# only a comment\n---\n" + cm("a", "") + "...\n" + cm("b", "") + "...\n",
		"--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n--- " + cm("b", "") + "---\t" + cm("c", ""),
		cm("a", "data: [\n") + "---\n" + cm("b", "") + "---\n" + cm("c", "data: {a: 'b\n"),
		"apiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: a}\r\n---\r\n" + cm("b", ""),
		"\ufeff" + cm("a", "") + "---\n\ufeff" + cm("b", ""),
		cm("a", "") + "---\n\xff\n---\n" + cm("b", ""),
		cm("a", "data: {a: &x b, c: *x}\n") + "---\n" + cm("b", "data: {a: b, a: c}\n"),
		cm("a", "data: {k: "+strings.Repeat("x", 100_000)+"}\n") + "---\n" + cm("b", ""),
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec: {replicas: x}\n---\n" +
			"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: aGVsbG8=}\n---\napiVersion: v1\nkind: List\nitems:\n- " + cm("c", ""),
		cm("a", "") + "---",
		"---\n---\n...\n...\n---",
	}
}

// TestLoadReaderIsLoadBytes: a file read a batch at a time loads exactly what it loads
// whole, whatever the batches' bounds, for the seeds, the examples and every manifest of the
// loaders' and checks' fixtures.
func TestLoadReaderIsLoadBytes(t *testing.T) {
	t.Parallel()
	inputs := map[string][]byte{}
	for i, s := range readerSeeds() {
		inputs["seed "+string(rune('a'+i))+".yaml"] = []byte(s)
	}
	for _, pattern := range []string{"../../../examples/*/*.yaml", "../../checks/*/testdata/*/*.yaml", "../../checks/*/testdata/*/*/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inputs[f] = data
		}
	}
	if len(inputs) < 400 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	streamed := 0
	for name, data := range inputs {
		for _, bounds := range [][2]int{{1, 1 << 30}, {2, 1 << 30}, {3, 100}, {batchDocuments, batchBytes}} {
			ok := compareWithLoadBytes(t, name, data, bounds[0], bounds[1])
			if ok {
				streamed++
			}
		}
	}
	if streamed < 1500 {
		t.Errorf("only %d loads were streamed", streamed)
	}
}

// compareWithLoadBytes loads data both ways and fails on any difference; false when
// LoadReader declines it.
func compareWithLoadBytes(t *testing.T, name string, data []byte, maxDocs, maxBytes int) bool {
	t.Helper()
	opts := Options{Namespace: "ns"}
	head := data[:min(len(data), headSize)]
	if bytes.IndexByte(head, 0) >= 0 || looksLikeJSON(head) {
		return false
	}
	r := bufio.NewReaderSize(bytes.NewReader(data), 16) // lines longer than the buffer too
	got, size, err := loadBatches(context.Background(), name, r, int64(len(data)), opts, maxDocs, maxBytes)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if size != int64(len(data)) {
		t.Errorf("%s: size %d, want %d", name, size, len(data))
	}
	want := LoadBytes(name, data, opts)
	compareScans(t, want, got)
	return true
}

func TestLoadReaderDeclinesWhatIsNotAYAMLStream(t *testing.T) {
	t.Parallel()
	for _, data := range []string{`{"apiVersion":"v1","kind":"ConfigMap"}`, "  [1]", "a: b\n\x00", "{a: b}\n", strings.Repeat(" ", 9000) + "a: b\n"} {
		_, _, err := LoadReader(context.Background(), "f.yaml", strings.NewReader(data), 1<<20, Options{})
		if !errors.Is(err, ErrNotStreamed) {
			t.Errorf("%.20q: error %v, want ErrNotStreamed", data, err)
		}
	}
}

func TestLoadReaderStopsAtTheLimitAndAtCancellation(t *testing.T) {
	t.Parallel()
	data := strings.Repeat("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n", 1000)
	_, _, err := LoadReader(context.Background(), "f.yaml", strings.NewReader(data), 1000, Options{})
	if err == nil || !strings.Contains(err.Error(), "larger than the 1000-byte limit") {
		t.Errorf("over the limit: error %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = LoadReader(ctx, "f.yaml", strings.NewReader(data), 1<<20, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error %v", err)
	}
}

// FuzzLoadReader checks LoadReader against LoadBytes on any input, with small batches.
func FuzzLoadReader(f *testing.F) {
	testutil.AddSeeds(f, readerSeeds(), filepath.Join("..", "..", "..", "examples", "*", "*.yaml"))
	f.Fuzz(func(t *testing.T, data []byte) {
		testutil.WithinBudget(t, testutil.FuzzBudget, func() {
			compareWithLoadBytes(t, "fuzz.yaml", data, 2, 64)
		})
	})
}
