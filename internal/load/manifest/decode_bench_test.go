package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/akscheck/akscheck/internal/subject"
	"github.com/akscheck/akscheck/internal/testutil/gentree"
)

// benchCorpus is the files of one corpus and the typed documents among them (those the
// candidates decode; untyped kinds and Secrets keep the JSON path in every candidate).
type benchCorpus struct {
	name  string
	files [][]byte
	docs  []benchDoc
}

type benchDoc struct {
	text             []byte
	apiVersion, kind string
	node             *yaml.Node
}

func loadBenchCorpus(b *testing.B, name, dir string) benchCorpus {
	b.Helper()
	c := benchCorpus{name: name}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		c.files = append(c.files, data)
		for _, d := range splitDocuments(data) {
			var root yaml.Node
			if yaml.Unmarshal(d.text, &root) != nil || len(root.Content) == 0 {
				continue
			}
			n := root.Content[0]
			av, kind := scalarField(n, "apiVersion"), scalarField(n, "kind")
			if subject.NewTyped(av, kind) == nil || kind == "Secret" {
				continue
			}
			c.docs = append(c.docs, benchDoc{text: d.text, apiVersion: av, kind: kind, node: n})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func benchCorpora(b *testing.B) []benchCorpus {
	b.Helper()
	dir := b.TempDir()
	var out []benchCorpus
	for _, shape := range []gentree.Shape{gentree.Dense, gentree.Sparse} {
		d := filepath.Join(dir, string(shape))
		if _, err := gentree.Write(d, shape, 3000, 1); err != nil {
			b.Fatal(err)
		}
		out = append(out, loadBenchCorpus(b, string(shape)+"-3000", d))
	}
	return append(out, loadBenchCorpus(b, "examples-k8s", filepath.Join("..", "..", "..", "examples", "k8s")))
}

// BenchmarkDecode measures the candidates for turning a manifest document into its typed
// value (issue 18), on generated dense and sparse trees and on examples/k8s:
//
//   - yaml3-json: today's path, yaml.v3 node tree, toJSON, json.Unmarshal;
//   - yaml3-direct: the node tree decoded straight into the typed value (fromnode.go);
//   - sigsyaml: sigs.k8s.io/yaml (go-yaml v2 to JSON, then json.Unmarshal), as kubectl reads;
//   - yaml3-decoder-per-file: one yaml.v3 Decoder per file instead of one parser per
//     document (parse only: the node trees, for what a reused parser would save);
//   - load-parser-per-document and load-parser-per-file: the whole loader (LoadBytes) on
//     each file, without and with loadStream;
//
// and, with the parse left out (the node trees parsed once before), the two decodings alone:
// node-json and node-direct. Run with -benchmem -cpu 1; objects/s counts typed documents.
func BenchmarkDecode(b *testing.B) {
	for _, c := range benchCorpora(b) {
		objects := float64(len(c.docs))
		report := func(b *testing.B) {
			b.ReportMetric(objects*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
		}
		b.Run(c.name+"/yaml3-json", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, d := range c.docs {
					var root yaml.Node
					if err := yaml.Unmarshal(d.text, &root); err != nil {
						b.Fatal(err)
					}
					raw, err := toJSON(root.Content[0], 1<<30, 0)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := subject.DecodeTyped(d.apiVersion, d.kind, raw); err != nil {
						b.Fatal(err)
					}
				}
			}
			report(b)
		})
		b.Run(c.name+"/yaml3-direct", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, d := range c.docs {
					var root yaml.Node
					if err := yaml.Unmarshal(d.text, &root); err != nil {
						b.Fatal(err)
					}
					if err := decodeNode(root.Content[0], subject.NewTyped(d.apiVersion, d.kind)); err != nil {
						b.Fatal(err)
					}
				}
			}
			report(b)
		})
		b.Run(c.name+"/sigsyaml", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, d := range c.docs {
					raw, err := sigsyaml.YAMLToJSON(d.text)
					if err != nil {
						b.Fatal(err)
					}
					if err := json.Unmarshal(raw, subject.NewTyped(d.apiVersion, d.kind)); err != nil {
						b.Fatal(err)
					}
				}
			}
			report(b)
		})
		b.Run(c.name+"/yaml3-parse-per-document", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range c.files {
					for _, d := range splitDocuments(f) {
						var root yaml.Node
						if err := yaml.Unmarshal(d.text, &root); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			report(b)
		})
		b.Run(c.name+"/yaml3-decoder-per-file", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range c.files {
					dec := yaml.NewDecoder(bytes.NewReader(f))
					for {
						var root yaml.Node
						err := dec.Decode(&root)
						if errors.Is(err, io.EOF) {
							break
						}
						if err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			report(b)
		})
		for _, stream := range []bool{false, true} {
			name := map[bool]string{false: "/load-parser-per-document", true: "/load-parser-per-file"}[stream]
			b.Run(c.name+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					for _, f := range c.files {
						if s := loadBytes("bench.yaml", f, Options{}, stream); len(s.Errors) > 0 {
							b.Fatal(s.Errors)
						}
					}
				}
				report(b)
			})
		}
		b.Run(c.name+"/node-json", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, d := range c.docs {
					raw, err := toJSON(d.node, 1<<30, 0)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := subject.DecodeTyped(d.apiVersion, d.kind, raw); err != nil {
						b.Fatal(err)
					}
				}
			}
			report(b)
		})
		b.Run(c.name+"/node-direct", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, d := range c.docs {
					if err := decodeNode(d.node, subject.NewTyped(d.apiVersion, d.kind)); err != nil {
						b.Fatal(err)
					}
				}
			}
			report(b)
		})
	}
}
