package htmlout

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/render/fixtext/fixtest"
	"github.com/akscheck/akscheck/internal/testutil/chromium"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestFixesGolden: the findings part of the page, with fixes of every shape, against its golden
// file; no hostile value reaches it as markup and no credential is printed.
func TestFixesGolden(t *testing.T) {
	t.Parallel()
	rep, cat := fixtest.Report()
	tmpl, err := Template()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "findings", NewPage(rep, cat, checks.All(), Options{})); err != nil {
		t.Fatal(err)
	}
	fixtest.Golden(t, "testdata/fixes.golden.html", b.Bytes(), *update)
	out := b.String()
	for _, bad := range []string{"<script", "AccountKey=", "s3cr3t", "\x1b", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("the findings carry %q", bad)
		}
	}
	if n := strings.Count(out, `<div class="remedy">`); n != 8 {
		t.Errorf("%d fix blocks, want 8 (one per finding with a fix)", n)
	}
}

// TestFixesInChromium opens a page of fixes of every shape in headless Chromium: each block
// renders with its command and edits as text to copy, a hostile value stays text (nothing it
// carries runs or becomes an element), and the page does not scroll sideways at 1280 pixels.
func TestFixesInChromium(t *testing.T) {
	t.Parallel()
	rep, cat := fixtest.Report()
	var page bytes.Buffer
	if err := Render(&page, rep, cat, checks.All(), Options{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "fixes.html")
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := chromium.Browser(t)
	var con chromium.Console
	con.Watch(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitReady(chromedp.CSS("#findings"))); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	str := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	num := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return n
	}
	if n := num(`document.querySelectorAll('#findings .remedy').length`); n != 8 {
		t.Errorf("%d fix blocks render, want 8", n)
	}
	if n := num(`Array.from(document.querySelectorAll('#findings .remedy')).filter(e => e.getBoundingClientRect().height > 0).length`); n != 8 {
		t.Errorf("%d fix blocks are visible, want 8", n)
	}
	commands := str(`Array.from(document.querySelectorAll('.remedy-command code')).map(e => e.textContent).join('\n')`)
	if !strings.Contains(commands, "az aks update --resource-group rg-prod --name aks-prod --enable-azure-rbac\n") {
		t.Errorf("the az command is not there to copy:\n%s", commands)
	}
	edits := str(`Array.from(document.querySelectorAll('.remedy-edits code')).map(e => e.textContent).join('\n')`)
	for _, want := range []string{
		"default_node_pool.upgrade_settings.max_surge = \"33%\"\napi_server_access_profile.authorized_ip_ranges = [\"10.0.0.0/8\", \"192.168.0.0/16\"]",
		"properties.apiServerAccessProfile.enablePrivateCluster: true",
		"<script>window.pwned=9</script>",
	} {
		if !strings.Contains(edits, want) {
			t.Errorf("the edits lack %q:\n%s", want, edits)
		}
	}
	if strings.Contains(commands+edits, "AccountKey=") || strings.Contains(commands+edits, "s3cr3t") {
		t.Error("a credential is shown")
	}
	if num(`typeof window.pwned === 'undefined' ? 0 : 1`) != 0 || num(`document.scripts.length`) != 1 ||
		num(`document.querySelectorAll('.remedy script, .remedy img, .remedy svg').length`) != 0 {
		t.Error("a hostile value in a fix became markup")
	}
	if got := str(`getComputedStyle(document.querySelector('.remedy-command code')).userSelect`); got != "all" {
		t.Errorf("a command is not selected whole by a click (user-select %q)", got)
	}
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 1280, Height: 900, DeviceScaleFactor: 1}); err != nil {
		t.Fatal(err)
	}
	if over := num(`document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
		t.Errorf("at 1280 px the page is %d px wider than the window", over)
	}
	// Let late console messages arrive before judging.
	if err := chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	for _, p := range con.Problems() {
		t.Errorf("console: %s", p)
	}
}
