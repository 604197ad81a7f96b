package htmlout

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil/chromium"
)

// TestReportInChromium opens the examples' HTML report (with the hostile objects) in headless
// Chromium: no console error or CSP violation, nothing injected runs, the filters change the
// visible rows, the columns sort, and the print layout hides the controls. It saves a
// screenshot and a PDF in the test's artifact directory.
func TestReportInChromium(t *testing.T) {
	t.Parallel()
	start := time.Now()
	rep, cat, all := scanReport(t)
	// An image digest: one long word that can overflow a cell at laptop widths.
	digest := "contosoacr.azurecr.io/shop/web@sha256:" + strings.Repeat("9f86d081884c7d659a2feaa0c55ad015", 2)
	rep.Findings = append(rep.Findings, report.Finding{Check: "image-scan-report", Item: "dev.image-scanning", Severity: check.Medium,
		Message: "no scan report covers " + digest, Object: report.Object{Kind: "Deployment", Namespace: "shop", Name: "web-" + strings.Repeat("x", 60)},
		Container: "web", Location: report.Location{File: "deploy/" + strings.Repeat("very-long-folder-name/", 6) + "web.yaml", Line: 3, Path: "spec.template.spec.containers[0].image"}})
	page := renderPage(t, rep, cat, all)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}

	scanned := time.Now()
	ctx := chromium.Browser(t)
	var con chromium.Console
	con.Watch(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path), chromedp.WaitReady(chromedp.CSS("#findings"))); err != nil {
		t.Fatalf("loading the report: %v", err)
	}
	loaded := time.Now()

	eval := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return n
	}
	visible := func() int { return eval(`document.querySelectorAll('#findings tbody tr:not([hidden])').length`) }
	choose := func(id, value string) int {
		t.Helper()
		eval(fmt.Sprintf(`(() => { const s = document.getElementById(%q); s.value = %q; s.dispatchEvent(new Event('change')); return 0; })()`, id, value))
		return visible()
	}
	count := func(keep func(sev check.Severity, section, namespace, checkID string) bool) int {
		n := 0
		for _, f := range rep.Findings {
			sec, _, _ := strings.Cut(f.Item, ".")
			if keep(f.Severity, sec, f.Object.Namespace, f.Check) {
				n++
			}
		}
		return n
	}

	if got := eval(`document.scripts.length`); got != 1 {
		t.Errorf("%d script elements run in the page, want only its own", got)
	}
	if got := eval(`typeof window.pwned === 'undefined' ? 0 : 1`); got != 0 {
		t.Error("a hostile object name ran as script")
	}
	total := len(rep.Findings)
	if got := visible(); got != total {
		t.Fatalf("%d rows visible at load, want all %d", got, total)
	}

	// Each filter alone, then two together, then reset.
	wantCritical := count(func(s check.Severity, _, _, _ string) bool { return s == check.Critical })
	if got := choose("filter-severity", "critical"); got != wantCritical || got == total {
		t.Errorf("severity=critical shows %d rows, want %d", got, wantCritical)
	}
	choose("filter-severity", "")
	wantShop := count(func(_ check.Severity, _, ns, _ string) bool { return ns == "shop" })
	if got := choose("filter-namespace", "shop"); got != wantShop || got == total {
		t.Errorf("namespace=shop shows %d rows, want %d", got, wantShop)
	}
	wantShopHigh := count(func(s check.Severity, _, ns, _ string) bool { return ns == "shop" && s == check.High })
	if got := choose("filter-severity", "high"); got != wantShopHigh {
		t.Errorf("namespace=shop and severity=high show %d rows, want %d", got, wantShopHigh)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#filter-reset"))); err != nil {
		t.Fatal(err)
	}
	if got := visible(); got != total {
		t.Errorf("after reset %d rows visible, want %d", got, total)
	}
	wantNetwork := count(func(_ check.Severity, sec, _, _ string) bool { return sec == "network" })
	if got := choose("filter-section", "network"); got != wantNetwork || got == total {
		t.Errorf("section=network shows %d rows, want %d", got, wantNetwork)
	}
	choose("filter-section", "")
	wantCheck := count(func(_ check.Severity, _, _, id string) bool { return id == "run-as-root" })
	if got := choose("filter-check", "run-as-root"); got != wantCheck || got == total {
		t.Errorf("check=run-as-root shows %d rows, want %d", got, wantCheck)
	}
	choose("filter-check", "")
	// Typing in the text filter (real key events).
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#filter-text"), "node-debugger")); err != nil {
		t.Fatal(err)
	}
	wantText := count(func(_ check.Severity, _, _, _ string) bool { return false })
	for _, f := range rep.Findings {
		// The row of a finding about the pod, and of one whose message names it (the
		// default namespace runs it).
		if f.Object.Name == "node-debugger" || strings.Contains(f.Message, "node-debugger") {
			wantText++
		}
	}
	if got := visible(); got != wantText || got == 0 {
		t.Errorf("text node-debugger shows %d rows, want %d", got, wantText)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#filter-reset"))); err != nil {
		t.Fatal(err)
	}

	// Sorting: a click on Severity sorts ascending, a second one descending.
	ranks := func() []check.Severity {
		names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('#findings tbody tr')).map(r => r.getAttribute('data-severity'))`))
		if err != nil {
			t.Fatal(err)
		}
		out := make([]check.Severity, len(names))
		for i, n := range names {
			if out[i], err = check.ParseSeverity(n); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	sortBy := chromedp.Click(chromedp.CSS("#findings thead th:nth-child(1) button"))
	for _, ascending := range []bool{true, false} {
		if err := chromedp.Do(ctx, sortBy); err != nil {
			t.Fatal(err)
		}
		got := ranks()
		sorted := slices.IsSortedFunc(got, func(a, b check.Severity) int {
			if ascending {
				return int(a - b)
			}
			return int(b - a)
		})
		if !sorted || len(got) != total || got[0] == got[len(got)-1] {
			t.Errorf("after a click on Severity (ascending %v) the rows are not sorted: %v", ascending, got)
		}
	}

	// At a laptop's 1280 pixels, the page does not scroll sideways: long image references,
	// paths and messages wrap in their cells.
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 1280, Height: 900, DeviceScaleFactor: 1}); err != nil {
		t.Fatal(err)
	}
	if over := eval(`document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
		t.Errorf("at 1280 px the page is %d px wider than the window: it scrolls sideways", over)
	}
	if over := eval(`Math.ceil(document.getElementById('findings').getBoundingClientRect().right - window.innerWidth)`); over > 0 {
		t.Errorf("at 1280 px the findings table overflows the window by %d px", over)
	}
	narrow, err := chromedp.Call(ctx, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{Format: cdppage.CaptureScreenshotFormatPng})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "report-1280.png"), narrow.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}

	interacted := time.Now()
	// The first screen (scorecard, charts, the top of the findings) after a scroll to the top:
	// a full-page capture of a few hundred findings takes Chromium tens of seconds.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Call(ctx, cdppage.CaptureScreenshot, cdppage.CaptureScreenshotParams{Format: cdppage.CaptureScreenshotFormatPng})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(shot.Data, []byte("\x89PNG")) {
		t.Fatalf("the screenshot is not a PNG (%d bytes)", len(shot.Data))
	}
	artifacts := t.ArtifactDir()
	shotPath := filepath.Join(artifacts, "report.png")
	if err := os.WriteFile(shotPath, shot.Data, 0o644); err != nil {
		t.Fatal(err)
	}

	shotTaken := time.Now()
	// Print: the controls disappear and the page prints to PDF.
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	display, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.controls')).display`))
	if err != nil {
		t.Fatal(err)
	}
	if display != "none" {
		t.Errorf("the filter controls print (display %q)", display)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Error("printing did not give a PDF")
	}
	pdfPath := filepath.Join(artifacts, "report.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o644); err != nil {
		t.Fatal(err)
	}

	// Let late console messages arrive before judging.
	if err := chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	for _, p := range con.Problems() {
		t.Errorf("console: %s", p)
	}
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	t.Logf("report %d bytes, %d findings; screenshot %s; PDF %s (%d bytes)", len(page), total, shotPath, pdfPath, len(pdf))
	t.Logf("scan and render %s; Chromium start and load %s; filters and sorting %s; screenshot %s; print %s; total %s",
		ms(scanned.Sub(start)), ms(loaded.Sub(scanned)), ms(interacted.Sub(loaded)), ms(shotTaken.Sub(interacted)),
		ms(time.Since(shotTaken)), ms(time.Since(start)))
}
