package cluster

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
)

var rewriteFixtures = flag.Bool("rewrite-fixtures", false, "rewrite whole-file cluster fixtures as patches of testdata/base")

// TestRewriteFixtures turns each whole-file fixture (a .json or .tf, also inside a folder
// fixture) into a patch of the base: an RFC 6902 JSON Patch or a Terraform override file,
// on the base layers that give the shortest one. It keeps the whole file where the patch
// does not give the same findings and statuses (with every check run on it). Write a new
// fixture in full, then run
//
//	go test ./internal/checks/cluster -run TestRewriteFixtures -rewrite-fixtures
func TestRewriteFixtures(t *testing.T) {
	if !*rewriteFixtures {
		t.Skip("rewrites fixtures with -rewrite-fixtures")
	}
	cat := catalog.MustLoad()
	for _, c := range Checks() {
		dir := filepath.Join("testdata", c.ID)
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			path := filepath.Join(dir, e.Name())
			if !e.IsDir() {
				if wholeFixture(e.Name()) {
					rewriteFixture(t, cat, c.ID, path, path)
				}
				continue
			}
			inner, err := os.ReadDir(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range inner {
				if wholeFixture(f.Name()) {
					rewriteFixture(t, cat, c.ID, filepath.Join(path, f.Name()), path)
				}
			}
		}
	}
}

func wholeFixture(name string) bool {
	return !isPatch(name) && (strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".tf"))
}

// rewriteFixture writes file as a patch and removes it when the fixture (the file or the
// folder holding it) gives the same results from the patch.
func rewriteFixture(t *testing.T, cat *catalog.Catalog, id, file, fixture string) {
	orig, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	name, patch, err := bestPatch(filepath.Base(file), orig)
	if err != nil {
		t.Errorf("%s: kept whole: %v", file, err)
		return
	}
	// Compare before the whole file goes: materialise the fixture as the runner does, with
	// the whole file, then with the patch.
	want := results(t, cat, id, materialise(t, fixture))
	out := filepath.Join(filepath.Dir(file), name)
	if err := os.WriteFile(out, patch, 0o644); err != nil {
		t.Fatal(err)
	}
	saved := filepath.Join(t.TempDir(), "saved")
	if err := os.Rename(file, saved); err != nil {
		t.Fatal(err)
	}
	target := fixture
	if fixture == file {
		target = out
	}
	got := materialise(t, target)
	if err := os.Rename(saved, file); err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(file, ".json") {
		mf := got
		if fixture != file {
			mf = filepath.Join(got, filepath.Base(file))
		}
		data, err := os.ReadFile(mf)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(decodeJSON(t, orig), decodeJSON(t, data)) {
			t.Errorf("%s: kept whole: the patch does not give the same document", file)
			os.Remove(out)
			return
		}
	}
	have := results(t, cat, id, got)
	if want != have {
		t.Errorf("%s: kept whole: the patch gives other results:\n%s\nwant:\n%s", file, have, want)
		os.Remove(out)
		return
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
}

// results are the findings (without their lines) and item statuses of every check on a
// fixture.
func results(t *testing.T, cat *catalog.Catalog, id, path string) string {
	scan := load.Load(t.Context(), []string{path}, load.Options{})
	if len(scan.Errors) > 0 {
		t.Fatalf("%s does not load: %+v", path, scan.Errors)
	}
	rep := engine.Run(t.Context(), cat, Checks(), scan, engine.Options{Settings: params(t, id), Now: func() time.Time { return scanDate }})
	var lines []string
	for _, f := range rep.Findings {
		lines = append(lines, fmt.Sprintf("finding %s %s: %s", f.Check, filepath.Base(f.Location.File), f.Message))
	}
	for _, it := range rep.Items {
		lines = append(lines, fmt.Sprintf("item %s %s", it.ID, it.Status))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func decodeJSON(t *testing.T, data []byte) any {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// bestPatch writes a whole file as a patch on the base layers that give the shortest one.
func bestPatch(name string, orig []byte) (string, []byte, error) {
	suffix := patchSuffix
	if strings.HasSuffix(name, ".tf") {
		suffix = overrideSuffix
	}
	candidates := [][]string{nil}
	layers, _ := filepath.Glob(filepath.Join(baseDir, "*"+suffix))
	for _, l := range layers {
		if l := strings.TrimSuffix(filepath.Base(l), suffix); l != azShape {
			candidates = append(candidates, []string{l})
		}
	}
	var bestName string
	var best []byte
	var lastErr error
	for _, layers := range candidates {
		var n string
		var p []byte
		var err error
		stem := strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".tf")
		for _, l := range layers {
			stem += "." + l
		}
		if strings.HasSuffix(name, ".json") {
			n, p, err = jsonPatchFor(stem, layers, orig)
		} else {
			n, p, err = overrideFor(stem, layers, orig)
		}
		if err != nil {
			lastErr = err
			continue
		}
		if bestName == "" || bytes.Count(p, []byte("\n")) < bytes.Count(best, []byte("\n")) {
			bestName, best = n, p
		}
	}
	if bestName == "" {
		return "", nil, lastErr
	}
	return bestName, best, nil
}

func jsonPatchFor(stem string, layers []string, orig []byte) (string, []byte, error) {
	d := json.NewDecoder(bytes.NewReader(orig))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return "", nil, err
	}
	rs, ok := doc.([]any)
	if !ok || len(rs) == 0 {
		return "", nil, fmt.Errorf("not a list of resources")
	}
	first, _ := rs[0].(map[string]any)
	_, rest := first["properties"]
	if !rest {
		stem += "." + azShape
	}
	baseData, err := jsonBase(layers, !rest)
	if err != nil {
		return "", nil, err
	}
	d = json.NewDecoder(bytes.NewReader(baseData))
	d.UseNumber()
	var base any
	if err := d.Decode(&base); err != nil {
		return "", nil, err
	}
	var ops []string
	diffJSON(base, doc, "", &ops)
	if len(ops) == 0 {
		return stem + patchSuffix, []byte("[]\n"), nil
	}
	return stem + patchSuffix, []byte("[\n" + strings.Join(ops, ",\n") + "\n]\n"), nil
}

func pointer(path string, key any) string {
	if s, ok := key.(string); ok {
		return path + "/" + strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
	}
	return fmt.Sprintf("%s/%d", path, key)
}

func marshal(v any, indent string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent(indent, "  ")
	}
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// op writes one operation a line, or its value over several lines when it is long.
func op(kind, path string, value any, hasValue bool) string {
	head := fmt.Sprintf(`  {"op": %s, "path": %s`, marshal(kind, ""), marshal(path, ""))
	if !hasValue {
		return head + "}"
	}
	line := head + `, "value": ` + marshal(value, "") + "}"
	if len(line) <= 120 {
		return line
	}
	return head + `, "value": ` + marshal(value, "  ") + "}"
}

// diffJSON appends the RFC 6902 operations that turn a into b.
func diffJSON(a, b any, path string, ops *[]string) {
	if reflect.DeepEqual(a, b) {
		return
	}
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			x, inA := av[k]
			y, inB := bv[k]
			switch {
			case !inB:
				*ops = append(*ops, op("remove", pointer(path, k), nil, false))
			case !inA:
				*ops = append(*ops, op("add", pointer(path, k), y, true))
			default:
				diffJSON(x, y, pointer(path, k), ops)
			}
		}
		return
	case []any:
		bv, ok := b.([]any)
		if !ok || scalars(av) || scalars(bv) {
			break
		}
		diffArray(av, bv, path, ops)
		return
	}
	*ops = append(*ops, op("replace", path, b, true))
}

func scalars(xs []any) bool {
	for _, x := range xs {
		switch x.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

// diffArray aligns the equal elements of two arrays (longest common subsequence), diffs
// the elements between them pairwise and removes or adds the rest.
func diffArray(a, b []any, path string, ops *[]string) {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if reflect.DeepEqual(a[i], b[j]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	k := 0 // index in the array as the operations so far leave it
	var gapA, gapB []any
	// At the top, the operations on a resource of the base start by testing its name: they
	// say which resource they change, and fail if the base is reordered.
	named := func(x any, more []string) []string {
		m, _ := x.(map[string]any)
		if name, ok := m["name"]; ok && path == "" && len(more) > 0 {
			return append([]string{op("test", pointer(pointer(path, k), "name"), name, true)}, more...)
		}
		return more
	}
	flush := func() {
		p := min(len(gapA), len(gapB))
		for x := 0; x < p; x++ {
			var more []string
			diffJSON(gapA[x], gapB[x], pointer(path, k), &more)
			*ops = append(*ops, named(gapA[x], more)...)
			k++
		}
		for _, x := range gapA[p:] {
			*ops = append(*ops, named(x, []string{op("remove", pointer(path, k), nil, false)})...)
		}
		for _, y := range gapB[p:] {
			*ops = append(*ops, op("add", pointer(path, k), y, true))
			k++
		}
		gapA, gapB = nil, nil
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && reflect.DeepEqual(a[i], b[j]):
			flush()
			k++
			i++
			j++
		case j >= m || (i < n && lcs[i+1][j] >= lcs[i][j+1]):
			gapA = append(gapA, a[i])
			i++
		default:
			gapB = append(gapB, b[j])
			j++
		}
	}
	flush()
}
