package htmlout

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html"
	"io"
	"regexp"
	"strings"
	"testing"

	xhtml "golang.org/x/net/html"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/checks"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
	"github.com/akscheck/akscheck/internal/report"
	"github.com/akscheck/akscheck/internal/testutil/scantest"
)

// hostileMarkers are the payloads of ../testdata/hostile.yaml; none may reach the page as markup.
var hostileMarkers = []string{
	"<script>window.pwned", "<img src=x onerror", "<svg onload", `"><script>`, "' onmouseover='",
}

// scanReport scans the examples and the hostile objects, as the CLI does.
func scanReport(t *testing.T) (*report.Report, *catalog.Catalog, []*check.Check) {
	t.Helper()
	rep, cat := scantest.Run(t, engine.Options{Version: "test"}, "../../../examples", "../testdata/hostile.yaml")
	return rep, cat, checks.All()
}

func renderPage(t *testing.T, rep *report.Report, cat *catalog.Catalog, all []*check.Check) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, rep, cat, all, Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestScannedValuesAreEscaped(t *testing.T) {
	t.Parallel()
	rep, cat, all := scanReport(t)
	hostile := 0
	for _, f := range rep.Findings {
		if strings.Contains(f.Object.Name+f.Object.Namespace+f.Container+f.Message, "pwned") {
			hostile++
		}
	}
	if hostile == 0 {
		t.Fatal("the hostile objects produced no finding; the test proves nothing")
	}
	page := renderPage(t, rep, cat, all)
	for _, m := range hostileMarkers {
		if strings.Contains(page, m) {
			t.Errorf("the page carries %q unescaped", m)
		}
	}
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("the page has %d <script elements, want only its own", n)
	}
	if !strings.Contains(page, "&lt;script&gt;window.pwned=1&lt;/script&gt;") {
		t.Error("the hostile Service name is not shown as text")
	}
}

func TestSelfContainedUnderCSP(t *testing.T) {
	t.Parallel()
	rep, cat, all := scanReport(t)
	page := renderPage(t, rep, cat, all)
	for _, external := range []string{"<link", "@import", "url(", "<iframe", "<object", "<embed", "<img"} {
		if strings.Contains(page, external) {
			t.Errorf("the page refers to something outside itself: %q", external)
		}
	}
	// Parse the page as a browser would and look at every element's attributes.
	z := xhtml.NewTokenizer(strings.NewReader(page))
	scripts := 0
	for tt := z.Next(); tt != xhtml.ErrorToken; tt = z.Next() {
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if tok.Data == "script" {
			scripts++
		}
		for _, a := range tok.Attr {
			switch k := strings.ToLower(a.Key); {
			case k == "src" || k == "srcset" || k == "data" || k == "action" || k == "formaction" || k == "xlink:href":
				t.Errorf("<%s> loads something: %s=%q", tok.Data, a.Key, a.Val)
			case strings.HasPrefix(k, "on"):
				t.Errorf("<%s> has an inline event handler: %s=%q", tok.Data, a.Key, a.Val)
			case k == "style":
				t.Errorf("<%s> has a style attribute, which the CSP blocks", tok.Data)
			}
		}
	}
	if !errors.Is(z.Err(), io.EOF) {
		t.Errorf("tokenizing the page: %v", z.Err())
	}
	if scripts != 1 {
		t.Errorf("the page has %d script elements, want only its own", scripts)
	}
	// The hashes in the policy are those of the script and the style as written.
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]+)">`).FindStringSubmatch(page)
	if csp == nil {
		t.Fatal("no CSP meta tag")
	}
	policy := html.UnescapeString(csp[1])
	if !strings.Contains(policy, "default-src 'none'") {
		t.Errorf("the policy does not forbid by default: %s", policy)
	}
	for _, tag := range []string{"script", "style"} {
		m := regexp.MustCompile(`(?s)<` + tag + `>(.*?)</` + tag + `>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no <%s>", tag)
		}
		sum := sha256.Sum256([]byte(m[1]))
		want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(policy, tag+"-src "+want) {
			t.Errorf("%s-src does not allow the page's own %s (%s): %s", tag, tag, want, policy)
		}
	}
}

func TestEmptyReport(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	rep := engine.Run(t.Context(), cat, nil, load.Load(t.Context(), nil, load.Options{}), engine.Options{})
	page := renderPage(t, rep, cat, nil)
	for _, want := range []string{"No findings.", "No input was read.", "Every input was read.", "n/a"} {
		if !strings.Contains(page, want) {
			t.Errorf("the empty report lacks %q", want)
		}
	}
}
