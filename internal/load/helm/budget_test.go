package helm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/load/manifest"
)

func writeChart(t *testing.T, template string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"Chart.yaml":          "apiVersion: v2\nname: budget\nversion: 0.1.0\n",
		"templates/loop.yaml": template,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRenderTimeLimit: a template loop is stopped waiting for at its deadline, an error
// naming the chart; another chart is refused while it still runs. Not parallel: the render
// left running would refuse the charts of the other tests.
func TestRenderTimeLimit(t *testing.T) {
	chart := writeChart(t, "{{- range until 5000000 }}x{{ end }}\n")
	start := time.Now()
	s := Load(chart, Options{Timeout: 10 * time.Millisecond}, manifest.Options{})
	if time.Since(start) > time.Second {
		t.Errorf("Load took %v", time.Since(start))
	}
	if len(s.Errors) != 1 || s.Errors[0].Source != chart || !strings.Contains(s.Errors[0].Message, "templates took longer than 10ms to render") {
		t.Errorf("errors = %+v", s.Errors)
	}
	if runaway.Load() == 1 {
		if _, err := Render(filepath.Join("testdata", "shop"), Options{}); err == nil || !strings.Contains(err.Error(), "still rendering") {
			t.Errorf("a chart rendered beside a runaway render: %v", err)
		}
	}
	for deadline := time.Now().Add(20 * time.Second); runaway.Load() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the abandoned render did not end")
		}
	}
	if _, err := Render(filepath.Join("testdata", "shop"), Options{}); err != nil {
		t.Errorf("after the runaway render ended: %v", err)
	}
}

func TestRenderOutputLimit(t *testing.T) {
	t.Parallel()
	chart := writeChart(t, "{{- range until 200 }}xxxxxxxxxx{{ end }}\n")
	s := Load(chart, Options{MaxOutput: 1000}, manifest.Options{})
	if len(s.Errors) != 1 || s.Errors[0].Source != chart || !strings.Contains(s.Errors[0].Message, "templates rendered 2001 bytes, more than the 1000-byte limit") {
		t.Errorf("errors = %+v", s.Errors)
	}
}
