package cluster

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
)

// Fixture files that are written against the base cluster of testdata/base (see TestFixtures).
const (
	patchSuffix    = ".patch.json"
	overrideSuffix = ".override.tf"
	// azShape is the token of a JSON patch written against the base in az CLI shape.
	azShape = "az"
)

var baseDir = filepath.Join("testdata", "base")

// isPatch tells whether a fixture file is written against the base.
func isPatch(name string) bool {
	return strings.HasSuffix(name, patchSuffix) || strings.HasSuffix(name, overrideSuffix)
}

// splitPatchName parses "<name>{.<layer>}[.az].patch.json" or "<name>{.<layer>}.override.tf":
// the name of the file it materialises into, the layers of testdata/base it builds on and
// whether the JSON is in az CLI shape.
func splitPatchName(name string) (out string, layers []string, az bool) {
	ext := ".json"
	stem := strings.TrimSuffix(name, patchSuffix)
	if strings.HasSuffix(name, overrideSuffix) {
		ext, stem = ".tf", strings.TrimSuffix(name, overrideSuffix)
	}
	parts := strings.Split(stem, ".")
	for _, p := range parts[1:] {
		if p == azShape && ext == ".json" {
			az = true
			continue
		}
		layers = append(layers, p)
	}
	return parts[0] + ext, layers, az
}

// materialise returns the path of a fixture written out in full: the fixture itself when it
// is a whole file, else the base with its layers and the fixture's patch or override
// applied, in t.TempDir() under the fixture's own name (a folder is copied with its patches
// materialised).
func materialise(t *testing.T, path string) string {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(path)
	if info.IsDir() {
		dir := filepath.Join(t.TempDir(), name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			out, data := e.Name(), []byte(nil)
			if isPatch(e.Name()) {
				out, data = materialiseFile(t, filepath.Join(path, e.Name()))
			} else if data, err = os.ReadFile(filepath.Join(path, e.Name())); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, out), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	if !isPatch(name) {
		return path
	}
	out, data := materialiseFile(t, path)
	file := filepath.Join(t.TempDir(), out)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// materialiseFile applies a patch or override file to the base: the file name to write
// and the content.
func materialiseFile(t *testing.T, path string) (string, []byte) {
	t.Helper()
	out, layers, az := splitPatchName(filepath.Base(path))
	patch, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var data []byte
	if strings.HasSuffix(path, patchSuffix) {
		data, err = applyJSONPatch(layers, az, patch)
	} else {
		data, err = applyOverride(layers, patch, path)
	}
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out, data
}

// jsonBase returns testdata/base/cluster.json with the layers applied, in az CLI shape if
// az is set: converted as otherShape does, then patched with base/az.patch.json.
func jsonBase(layers []string, az bool) ([]byte, error) {
	doc, err := os.ReadFile(filepath.Join(baseDir, "cluster.json"))
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		if doc, err = applyPatchFile(doc, filepath.Join(baseDir, l+patchSuffix)); err != nil {
			return nil, err
		}
	}
	if az {
		var v any
		if err := json.Unmarshal(doc, &v); err != nil {
			return nil, err
		}
		for i, r := range v.([]any) {
			v.([]any)[i] = convert(r)
		}
		if doc, err = json.Marshal(v); err != nil {
			return nil, err
		}
		// What the CLI prints besides: "resourcegroups" in IDs, and a resourceGroup field.
		if doc, err = applyPatchFile(doc, filepath.Join(baseDir, azShape+patchSuffix)); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

func applyPatchFile(doc []byte, file string) ([]byte, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	p, err := jsonpatch.DecodePatch(data)
	if err != nil {
		return nil, err
	}
	return p.Apply(doc)
}

// applyJSONPatch applies an RFC 6902 JSON Patch to the base.
func applyJSONPatch(layers []string, az bool, patch []byte) ([]byte, error) {
	doc, err := jsonBase(layers, az)
	if err != nil {
		return nil, err
	}
	p, err := jsonpatch.DecodePatch(patch)
	if err != nil {
		return nil, err
	}
	if doc, err = p.Apply(doc); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, doc, "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
