package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	n, err := run(&out, "../../testdata/guide.md", false)
	if err != nil || n != 1 || !strings.Contains(out.String(), "missing: example.k8s.io/v1beta1 Widget") {
		t.Errorf("run = %d, %v:\n%s", n, err, out.String())
	}
	out.Reset()
	n, err = run(&out, "../../testdata/guide.md", true)
	if err != nil || n != 1 || !strings.Contains(out.String(), `{APIVersion: "example.k8s.io/v1beta1", Kind: "Widget"`) {
		t.Errorf("run -go = %d, %v:\n%s", n, err, out.String())
	}
	if _, err := run(&out, "", false); err == nil {
		t.Error("no -guide: no error")
	}
}
