package yamlout

import (
	"bytes"
	"testing"

	yaml "go.yaml.in/yaml/v3"

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
