package audit

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/akscheck/akscheck/internal/testutil/chromium"
)

// TestDashboardInChromium loads the dashboard, served by httptest from a store of three
// audits, in headless Chromium: every series of the chart has three points, the since form
// lists a new and a fixed finding, the namespace filter (server-side) and the table's own
// filter (client-side) work, the hostile text runs nothing, and the page requests nothing
// but the server (no console error, so no CSP violation either). It saves a screenshot in
// the test's artifact directory.
func TestDashboardInChromium(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(dashboardAuditor(t).Handler())
	defer srv.Close()
	ctx := chromium.Browser(t)
	var con chromium.Console
	con.Watch(ctx)
	var mu sync.Mutex
	var requests []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	load := func(url string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("#changes"))); err != nil {
			t.Fatalf("loading %s: %v", url, err)
		}
	}
	eval := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return n
	}
	texts := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	// submit sets the query form's fields, submits it as a person would (the button) and
	// waits for waitFor on the next page.
	submit := func(fields map[string]string, waitFor string) {
		t.Helper()
		for id, v := range fields {
			eval(fmt.Sprintf(`(() => { document.getElementById(%q).value = %q; return 0; })()`, id, v))
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.query button[type=submit]`)),
			chromedp.Sleep(300*time.Millisecond), chromedp.WaitReady(chromedp.CSS(waitFor))); err != nil {
			t.Fatal(err)
		}
	}

	load(srv.URL + "/")
	if n := eval(`document.querySelectorAll('#trend g.series').length`); n < 2 {
		t.Fatalf("%d series in the chart, want the overall and the sections'", n)
	}
	if bad := texts(`Array.from(document.querySelectorAll('#trend g.series')).filter(g => g.querySelectorAll('circle').length !== 3).map(g => g.dataset.series).join(',')`); bad != "" {
		t.Errorf("series without three points: %s", bad)
	}
	if n := eval(`document.querySelectorAll('#trend g[data-series=overall] circle').length`); n != 3 {
		t.Errorf("the overall series has %d points, want 3", n)
	}
	if n := eval(`document.scripts.length`); n != 1 {
		t.Errorf("%d script elements run in the page, want only its own", n)
	}

	// Since 90 minutes before the clock (t0+3h): pay/api is new, shop/web's privilege fixed.
	submit(map[string]string{"q-since": "90m"}, "#changes")
	if u := texts(`location.search`); u != "?since=90m&namespace=&check=" {
		t.Errorf("the form went to %q", u)
	}
	fresh := texts(`document.querySelector('#h-new + table') ? document.querySelector('#h-new + table').innerText : ''`)
	fixed := texts(`document.querySelector('#h-fixed + table') ? document.querySelector('#h-fixed + table').innerText : ''`)
	if !strings.Contains(fresh, "Deployment/pay/api") || strings.Contains(fresh, "shop/web") {
		t.Errorf("new since 90m:\n%s", fresh)
	}
	if !strings.Contains(fixed, "Deployment/shop/web") || !strings.Contains(fixed, "privileged-container") {
		t.Errorf("fixed since 90m:\n%s", fixed)
	}

	// The namespace filter, server-side: every finding shown is pay's.
	all := eval(`document.querySelectorAll('#findings tbody tr').length`)
	submit(map[string]string{"q-since": "7d", "q-namespace": "pay"}, "#changes")
	pay := eval(`document.querySelectorAll('#findings tbody tr').length`)
	if other := eval(`document.querySelectorAll('#findings tbody tr:not([data-namespace=pay])').length`); pay == 0 || pay >= all || other != 0 {
		t.Errorf("namespace=pay shows %d of %d findings, %d of another namespace", pay, all, other)
	}
	if n := eval(`document.querySelectorAll('.changes tbody tr:not([data-namespace=pay])').length`); n != 0 {
		t.Errorf("namespace=pay lists %d changes of another namespace", n)
	}
	// The table's own client-side filter still works on what the server sent.
	eval(`(() => { const s = document.getElementById('filter-check'); s.value = 'privileged-container'; s.dispatchEvent(new Event('change')); return 0; })()`)
	if n := eval(`document.querySelectorAll('#findings tbody tr:not([hidden])').length`); n != 1 {
		t.Errorf("the client-side check filter shows %d rows, want 1", n)
	}

	// Back to everything since the first audit, with the hostile text on the page.
	load(srv.URL + "/?since=7d")
	if n := eval(`typeof window.pwned === 'undefined' ? 0 : 1`); n != 0 {
		t.Error("hostile text from a finding ran as script")
	}
	if !strings.Contains(texts(`document.body.innerText`), "<script>window.pwned=1</script>") {
		t.Error("the hostile namespace is not shown as text")
	}
	// A bad query: the 400 page, as a page.
	load(srv.URL + "/")
	submit(map[string]string{"q-since": "yesterday"}, "#message")
	if msg := texts(`document.getElementById('message') ? document.getElementById('message').innerText : ''`); !strings.Contains(msg, `since "yesterday"`) {
		t.Errorf("since=yesterday: %q", msg)
	}

	load(srv.URL + "/?since=7d")
	shot, err := chromedp.Call(ctx, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{Format: cdppage.CaptureScreenshotFormatPng})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(shot.Data, []byte("\x89PNG")) {
		t.Fatal("the screenshot is not a PNG")
	}
	shotPath := filepath.Join(t.ArtifactDir(), "dashboard.png")
	if err := os.WriteFile(shotPath, shot.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	// And the chart and the changes, below the scorecard.
	eval(`(() => { document.getElementById('trend').scrollIntoView(); return 0; })()`)
	trendShot, err := chromedp.Call(ctx, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{Format: cdppage.CaptureScreenshotFormatPng})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "dashboard-trend.png"), trendShot.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	// The one error the test caused on purpose: the 400 of since=yesterday.
	expected := 0
	for _, p := range con.Problems() {
		if strings.Contains(p, "status of 400") && expected == 0 {
			expected++
			continue
		}
		t.Errorf("console: %s", p)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range requests {
		if !strings.HasPrefix(u, srv.URL+"/") {
			t.Errorf("the page requested %s, outside the server", u)
		}
	}
	t.Logf("%d requests, all to the server; screenshot %s", len(requests), shotPath)
}
