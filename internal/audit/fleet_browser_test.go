package audit

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/akscheck/akscheck/internal/testutil/chromium"
)

// TestFleetInChromium loads the fleet page of three clusters sharing a history in headless
// Chromium: the ranking renders worst first, the items failing everywhere and the worst
// findings are listed, the hostile cluster name runs nothing, and following a cluster's link
// opens that cluster's dashboard, its chart drawn; no console error on the way. It saves a
// screenshot in the test's artifact directory.
func TestFleetInChromium(t *testing.T) {
	t.Parallel()
	server := httptest.NewServer(fleetAuditor(t).Handler())
	defer server.Close()
	srv := server.URL
	ctx := chromium.Browser(t)
	var con chromium.Console
	con.Watch(ctx)
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv+"/fleet"), chromedp.WaitReady(chromedp.CSS("#fleet-findings"))); err != nil {
		t.Fatal(err)
	}
	ranked := eval(`Array.from(document.querySelectorAll('#ranking tbody tr')).map(r => r.dataset.cluster).join('|')`)
	if want := "prod|staging|" + hostileCluster; ranked != want {
		t.Errorf("ranking %q, want %q", ranked, want)
	}
	scores := eval(`Array.from(document.querySelectorAll('#ranking td.score')).map(td => td.innerText).join(' ')`)
	if len(strings.Fields(scores)) != 3 {
		t.Errorf("scores %q", scores)
	}
	if n := eval(`String(document.querySelectorAll('#fleet-items .badge').length)`); n == "0" {
		t.Error("no item marked as failing everywhere")
	}
	if n := eval(`String(document.querySelectorAll('#fleet-findings tbody tr').length)`); n == "0" {
		t.Error("no worst finding listed")
	}
	if eval(`typeof window.pwned`) != "undefined" {
		t.Error("the hostile cluster name ran as script")
	}
	shot, err := chromedp.Call(ctx, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{Format: cdppage.CaptureScreenshotFormatPng})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(shot.Data, []byte("\x89PNG")) {
		t.Fatal("the screenshot is not a PNG")
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "fleet.png"), shot.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	// The hostile cluster's link: its dashboard, with its name as text.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#ranking tbody tr:last-child a`)),
		chromedp.Sleep(300*time.Millisecond), chromedp.WaitReady(chromedp.CSS("#trend"))); err != nil {
		t.Fatal(err)
	}
	if got := eval(`document.getElementById('cluster-name').innerText`); got != hostileCluster {
		t.Errorf("the dashboard after the link shows cluster %q", got)
	}
	if n := eval(`String(document.querySelectorAll('#trend g[data-series=overall] circle').length)`); n != "2" {
		t.Errorf("the cluster's chart has %s points, want its 2 audits", n)
	}
	if eval(`typeof window.pwned`) != "undefined" {
		t.Error("the hostile cluster name ran as script on its dashboard")
	}
	if err := chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	for _, p := range con.Problems() {
		t.Errorf("console: %s", p)
	}
}
