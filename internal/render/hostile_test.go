package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/render/fleet"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil/scantest"
)

// hostile carries what a scanned value must never smuggle to a reader: an ANSI colour, a bell,
// NUL, a carriage return that rewrites the line, bidi overrides and invalid UTF-8.
const hostile = "a\x1b[31mred\x07\x00x\ry\u202eevil\u2066iso\xff\xfeend"

// TestHostileValuesInEveryFormat renders a report whose names, namespace, container, file,
// messages, fixes (paths, values, commands, notes), errors and notices carry control and bidi
// characters in every format (colour off;
// the terminal formats also with colour on, their own colour codes set aside),
// streamed among clusters whose names carry them too, and checks that no output holds a raw
// control or bidi character, that each says something was there, and that the XML parses.
func TestHostileValuesInEveryFormat(t *testing.T) {
	t.Parallel()
	rep, cat := scantest.Run(t, engine.Options{Version: "test"}, "../../examples/k8s")
	if len(rep.Findings) == 0 {
		t.Fatal("the examples have no findings")
	}
	r := *rep
	r.Findings = append([]report.Finding(nil), rep.Findings...)
	for i := range r.Findings {
		f := &r.Findings[i]
		f.Object.Name += hostile
		f.Object.Namespace = "ns" + hostile
		f.Container = "c" + hostile
		f.Location.File = "dir/" + hostile + ".yaml"
		f.Location.Path = "spec." + hostile
		f.Message += " " + hostile
		f.Related = []report.Related{{Kind: "Pod", Namespace: hostile, Name: hostile, Container: hostile}}
		input := []string{"manifest", "terraform", "arm", "cluster"}[i%4]
		f.Fix = &report.Fix{Input: input, File: f.Location.File, Line: 3, Provider: "azurerm v4" + hostile, Note: "note " + hostile,
			Edits:   []report.Edit{{Op: "set", Path: "spec." + hostile, Value: hostile}, {Op: "append", Path: hostile, Value: map[string]any{hostile: []any{hostile}}}},
			Command: "az aks update --name " + hostile}
		if input == "cluster" {
			f.Fix.File, f.Fix.Line, f.Fix.Edits = "", 0, nil
		}
	}
	r.Suppressed = []report.Finding{r.Findings[0]}
	r.Suppressed[0].SuppressedBy = "exemption " + hostile
	r.Errors = append(r.Errors, report.Error{Source: "err/" + hostile, Line: 3, Message: "cannot read " + hostile})
	r.Notices = append(r.Notices, report.Notice{Source: "cfg/" + hostile, Line: 1, Message: "notice " + hostile})
	r.Inputs = append(r.Inputs, report.Input{Kind: "manifest", Source: "in/" + hostile, Objects: 1})
	r.Baseline = &report.Baseline{Source: "base/" + hostile, Fixed: []report.FixedFinding{{Check: "x", Item: "y",
		Message: "fixed " + hostile, Object: report.Object{Kind: "Pod", Namespace: hostile, Name: hostile}, Container: hostile}}}
	c := Context{Report: &r, Catalog: cat, Checks: checks.All()}

	for _, f := range Formats() {
		var buf bytes.Buffer
		if err := f.Render(&buf, c); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		outs := map[string][]byte{f.Name: buf.Bytes()}
		if f.Stream != nil {
			var stream bytes.Buffer
			if err := f.Stream(&stream, "cluster"+hostile, buf.Bytes()); err != nil {
				t.Fatalf("%s stream: %v", f.Name, err)
			}
			if f.Fleet != nil {
				if err := f.Fleet(&stream, []fleet.Cluster{{Name: "cluster" + hostile, Report: &r}}); err != nil {
					t.Fatalf("%s fleet: %v", f.Name, err)
				}
			}
			outs[f.Name+" stream"] = stream.Bytes()
		}
		for name, out := range outs {
			if bad := unsafeRunes(out); bad != "" {
				t.Errorf("%s: raw %s in the output", name, bad)
			}
			if !utf8.Valid(out) {
				t.Errorf("%s: invalid UTF-8 in the output", name)
			}
			if !visible(f.Name, out) {
				t.Errorf("%s: does not show that a control or bidi character was there", name)
			}
		}
		if f.Terminal {
			// With colours on, the only escapes are the table's own SGR codes.
			var col bytes.Buffer
			cc := c
			cc.Color = true
			if err := f.Render(&col, cc); err != nil {
				t.Fatalf("%s colour: %v", f.Name, err)
			}
			plain := sgr.ReplaceAll(col.Bytes(), nil)
			if bytes.Equal(plain, col.Bytes()) {
				t.Errorf("%s: no colour with colours on", f.Name)
			}
			if bad := unsafeRunes(plain); bad != "" {
				t.Errorf("%s with colours: raw %s besides its own colours", f.Name, bad)
			}
		}
		if f.Name == "json" {
			var back report.Report
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
				t.Fatalf("json: %v", err)
			}
			if got, want := back.Findings[0].Object.Name, string([]rune(r.Findings[0].Object.Name)); got != want {
				t.Errorf("json: object name %q, want the exact value %q", got, want)
			}
		}
		if f.Name == "junit" {
			if err := wellFormed(buf.Bytes()); err != nil {
				t.Errorf("junit: not well-formed XML: %v", err)
			}
		}
	}
}

// sgr matches the colour codes the table writes itself.
var sgr = regexp.MustCompile(`\x1b\[(?:0|1|2|33|36|1;31|1;35)m`)

// unsafeRunes names the control and bidi characters of out, or returns "". Tabs, newlines and
// carriage returns of the renderers' own layout are allowed; a carriage return must be part of
// a CRLF line end (CSV).
func unsafeRunes(out []byte) string {
	var bad []string
	for i, r := range string(out) {
		switch {
		case r == '\t' || r == '\n':
		case r == '\r':
			if i+1 >= len(out) || out[i+1] != '\n' {
				bad = append(bad, "CR")
			}
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f),
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e || r == 0x200f || r == 0x061c:
			bad = append(bad, fmt.Sprintf("%U", r))
		}
		if len(bad) > 5 {
			break
		}
	}
	return strings.Join(bad, " ")
}

// visible: the human formats write the escapes themselves; the machine formats keep the exact
// value in their own escapes (JSON \u001b, YAML \e).
func visible(format string, out []byte) bool {
	s := string(out)
	switch format {
	case "json", "jsonl", "sarif":
		return strings.Contains(s, `\u001b`) || strings.Contains(s, `\\x1b`) || strings.Contains(s, `\u202e`) || strings.Contains(s, `\\u202e`)
	case "yaml":
		return strings.Contains(s, `\e`) && strings.Contains(s, `\u202E`) || strings.Contains(s, `\u202e`)
	}
	return strings.Contains(s, `\x1b`) && strings.Contains(s, `\u202e`)
}

func wellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}
