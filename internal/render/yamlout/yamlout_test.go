package yamlout

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/akscheck/akscheck/internal/render/fixtext/fixtest"
	"github.com/akscheck/akscheck/internal/report"
)

// TestUnsafeCharactersRoundTrip: control, DEL, C1, bidi and tag characters are written as
// YAML escapes, never raw, and read back as the same value (the YAML is the JSON contract).
func TestUnsafeCharactersRoundTrip(t *testing.T) {
	t.Parallel()
	name := "a\x1b[31m\x07\x00x\ry\u202eevil\u2066iso\U000E0041 \u0085\u009b\x7f end"
	var buf bytes.Buffer
	if err := Render(&buf, &report.Report{Findings: []report.Finding{{Message: name}}}); err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(buf.Bytes(), "\x1b\x07\x00\r\u202e\u2066\U000E0041\u0085\u009b\x7f") {
		t.Errorf("raw unsafe characters in %q", buf.String())
	}
	var back struct{ Findings []struct{ Message string } }
	if err := yaml.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Findings) != 1 || back.Findings[0].Message != name {
		t.Errorf("read back %+v, want %q", back.Findings, name)
	}
}

// TestFixesRoundTrip: the YAML report carries each finding's fix as the JSON contract does
// (fixes of every shape, hostile values included), and reads back to the same values.
func TestFixesRoundTrip(t *testing.T) {
	t.Parallel()
	rep, _ := fixtest.Report()
	var buf bytes.Buffer
	if err := Render(&buf, rep); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Findings []struct {
			Fix any `yaml:"fix"`
		} `yaml:"findings"`
	}
	if err := yaml.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Findings) != len(rep.Findings) {
		t.Fatalf("%d findings read back, want %d", len(back.Findings), len(rep.Findings))
	}
	asJSON := func(v any) any {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var out any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for i, f := range rep.Findings {
		var want any
		if f.Fix != nil {
			want = asJSON(f.Fix)
		}
		if got := asJSON(back.Findings[i].Fix); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: fix reads back as %v, want %v", f.Check, got, want)
		}
	}
	if !bytes.Contains(buf.Bytes(), []byte("\n    fix:\n      input: terraform\n")) || !bytes.Contains(buf.Bytes(), []byte("provider: azurerm v4\n")) {
		t.Error("the fix is not written in block style")
	}
}
