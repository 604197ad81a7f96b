package manifest

import (
	"strings"
	"testing"
)

// kubectl reads every object of a JSON stream: concatenated, one per line, or pretty-printed
// one after another. Each object keeps its own line; what cannot be read is an error at its
// line, saying JSON.
func TestJSONStreams(t *testing.T) {
	t.Parallel()
	cm := func(name string) string {
		return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"` + name + `","namespace":"n"}}`
	}
	tests := []struct {
		name, source, in string
		want             []wantObject
		wantErr          string
		wantErrLine      int
	}{
		{name: "concatenated on one line", source: "f.json", in: cm("a") + cm("b"),
			want: []wantObject{{"ConfigMap", "n", "a", 1}, {"ConfigMap", "n", "b", 1}}},
		{name: "NDJSON", source: "f.ndjson", in: cm("a") + "\n" + cm("b") + "\n\n" + cm("c") + "\n",
			want: []wantObject{{"ConfigMap", "n", "a", 1}, {"ConfigMap", "n", "b", 2}, {"ConfigMap", "n", "c", 4}}},
		{name: "pretty-printed one after another", source: "f.yaml",
			in:   "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"a\"}\n}\n{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"b\"}\n}\n",
			want: []wantObject{{"ConfigMap", "", "a", 1}, {"ConfigMap", "", "b", 6}}},
		{name: "JSON escapes YAML does not know, tabs, and a field's line", source: "f.json",
			in:   "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"ConfigMap\",\n\t\"metadata\": {\"name\": \"a\\/b\"}}\n{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"d\"},\n\"spec\": {\"replicas\": \"x\"}}",
			want: []wantObject{{"ConfigMap", "", "a/b", 1}}, wantErr: `Deployment "d": field spec.replicas`, wantErrLine: 6},
		{name: "duplicate keys in JSON", source: "f.json", in: cm("a") + "\n{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n\"metadata\": {\"name\": \"b\"},\n\"kind\": \"Secret\"}",
			want: []wantObject{{"ConfigMap", "n", "a", 1}}, wantErr: `duplicate key "kind" at lines 2 and 4`, wantErrLine: 4},
		{name: "trailing garbage is an error at its line", source: "f.json", in: cm("a") + "\n\n garbage\n",
			want: []wantObject{{"ConfigMap", "n", "a", 1}}, wantErr: "malformed JSON: trailing data", wantErrLine: 3},
		{name: "truncated JSON says JSON, at the document's line", source: "f.json", in: cm("a") + "\n{\"apiVersion\": \"v1\",\n\"kind\": ",
			want: []wantObject{{"ConfigMap", "n", "a", 1}}, wantErr: "malformed JSON: truncated", wantErrLine: 2},
		{name: "a syntax error names its line", source: "f.json", in: "{\"apiVersion\": \"v1\",\n\"kind\": \"ConfigMap\",,\n}",
			wantErr: "malformed JSON: invalid character ','", wantErrLine: 2},
		{name: "JSON documents between YAML markers stay a YAML stream", source: "f.yaml", in: cm("a") + "\n---\n" + cm("b") + "\n",
			want: []wantObject{{"ConfigMap", "n", "a", 1}, {"ConfigMap", "n", "b", 3}}},
		{name: "a YAML flow mapping is not JSON", source: "f.yaml", in: "{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n",
			want: []wantObject{{"ConfigMap", "", "a", 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := LoadBytes(tt.source, []byte(tt.in), Options{})
			got := objectsOf(s)
			if len(got) != len(tt.want) {
				t.Fatalf("objects = %v, want %v (errors %+v)", got, tt.want, s.Errors)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("object %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			if tt.wantErr == "" {
				if len(s.Errors) != 0 {
					t.Errorf("errors = %+v", s.Errors)
				}
				return
			}
			if len(s.Errors) != 1 || !strings.Contains(s.Errors[0].Message, tt.wantErr) || s.Errors[0].Line != tt.wantErrLine || s.Errors[0].Source != tt.source {
				t.Errorf("errors = %+v, want one containing %q at line %d", s.Errors, tt.wantErr, tt.wantErrLine)
			}
		})
	}
}
