package upgrade

import (
	"strings"
	"testing"
)

var targetCases = []struct {
	in, want, err string
}{
	{"1.36", "1.36", ""},
	{"v1.36", "1.36", ""},
	{" 1.36.2 ", "1.36", ""},
	{"1.0", "1.0", ""},
	{"", "", "want a Kubernetes minor"},
	{"1", "", "want a Kubernetes minor"},
	{"1.36.2.1", "", "want a Kubernetes minor"},
	{"latest", "", "want a Kubernetes minor"},
	{"1.x", "", "not a version number"},
	{"1.-3", "", "not a version number"},
	{"1.036", "", "not a version number"},
	{"1.", "", "not a version number"},
	{"2.1", "", "no major version 2"},
	{"1.9999", "", "not a version number"},
	{"1.+5", "", "not a version number"},
}

func TestParseTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range targetCases {
		got, err := ParseTarget(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseTarget(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseTarget(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.err)
		}
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, tc := range targetCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTarget(s)
		if err != nil {
			return
		}
		// What it accepts it accepts again, unchanged.
		again, err := ParseTarget(got)
		if err != nil || again != got {
			t.Fatalf("ParseTarget(%q) = %q, which parses as %q, %v", s, got, again, err)
		}
		if !strings.HasPrefix(got, "1.") {
			t.Fatalf("ParseTarget(%q) = %q", s, got)
		}
	})
}
