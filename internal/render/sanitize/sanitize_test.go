package sanitize

import (
	"encoding/json"
	"testing"
)

func TestText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                            "",
		"nginx-7d9f":                  "nginx-7d9f",
		`C:\charts\app`:               `C:\charts\app`,
		"café ☕ 日本":                   "café ☕ 日本",
		"a\x1b[31mred\x1b[0m":         `a\x1b[31mred\x1b[0m`,
		"bell\x07nul\x00del\x7f":      `bell\x07nul\x00del\x7f`,
		"a\tb\nc\rd":                  `a\tb\nc\rd`,
		"csi\u009bosc\u009d":          `csi\u009bosc\u009d`,
		"admin\u202etxt.exe":          `admin\u202etxt.exe`,
		"\u2066iso\u2069\u200e\u061c": `\u2066iso\u2069\u200e\u061c`,
		"zero\u200bwidth\ufeff":       `zero\u200bwidth\ufeff`,
		"tag\U000e0041":               `tag\U000e0041`,
		"line\u2028sep":               `line\u2028sep`,
		"bad\xff\xfeutf8":             "bad\ufffd\ufffdutf8",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLines(t *testing.T) {
	t.Parallel()
	if got, want := Lines("one\r\ntwo\nthree\rx\x1b\u202e"), `one`+"\n"+`two`+"\n"+`three\rx\x1b\u202e`; got != want {
		t.Errorf("Lines = %q, want %q", got, want)
	}
}

// TestJSON: the unsafe characters become JSON escapes and the document decodes to the same
// value.
func TestJSON(t *testing.T) {
	t.Parallel()
	in := "a\x1b\x07\x7f\u0085\u009b\u202e\u2066\u200b\U000e0041 \t\n\r end ☕"
	doc, err := json.Marshal(map[string]string{"name": in})
	if err != nil {
		t.Fatal(err)
	}
	out := JSON(doc)
	for _, r := range string(out) {
		if Unsafe(r) {
			t.Fatalf("raw %U in %s", r, out)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if back["name"] != in {
		t.Errorf("decoded %q, want %q", back["name"], in)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"a\x1b[31m", "\u202e", "\xff", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, r := range Text(s) {
			if Unsafe(r) {
				t.Fatalf("Text(%q) keeps %U", s, r)
			}
		}
	})
}
