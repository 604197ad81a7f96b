// Package chromium starts headless Chromium for the tests that load akscheck's HTML pages
// (the HTML report, the audit's dashboard) and collects what the page logs.
package chromium

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Path is Debian's chromium package; .ci/run installs it.
const Path = "/usr/bin/chromium"

// Browser starts headless Chromium with no network access it could use and a throwaway
// profile. The test is skipped when Chromium is not installed, unless
// AKSCHECK_REQUIRE_CHROMIUM is set (CI sets it, so the test cannot be skipped there).
func Browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(Path); err != nil {
		if os.Getenv("AKSCHECK_REQUIRE_CHROMIUM") != "" {
			t.Fatalf("chromium is required (AKSCHECK_REQUIRE_CHROMIUM is set): %v", err)
		}
		t.Skipf("chromium is not installed (%v): apt-get install -y chromium", err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return ctx
}

// Console collects the console messages of the page.
type Console struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

// Watch subscribes to the console messages of the page in ctx (call it before loading).
func (c *Console) Watch(ctx context.Context) {
	messages := chromedp.Console(ctx) // subscribes now, before the page loads
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			c.mu.Lock()
			c.msgs = append(c.msgs, m)
			c.mu.Unlock()
		}
	}()
}

// Problems are the errors, warnings and exceptions logged (CSP violations among them).
func (c *Console) Problems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.msgs {
		if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
			out = append(out, m.String())
		}
	}
	return out
}
