package table

import (
	"fmt"
	"strings"
	"testing"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/report"
)

func TestLargeGroupsAreAggregatedPerSeverity(t *testing.T) {
	t.Parallel()
	image := report.Object{Kind: "Image", Name: "contosoacr.azurecr.io/shop/big:1.0"}
	rel := []report.Related{{Kind: "Deployment", Namespace: "shop", Name: "big", Container: "app"},
		{Kind: "CronJob", Namespace: "shop", Name: "big-nightly", Container: "app"},
		{Kind: "Job", Namespace: "shop", Name: "a", Container: "app"}, {Kind: "Job", Namespace: "shop", Name: "b", Container: "app"}}
	var fs []report.Finding
	for i := range 10000 {
		sev := check.High
		if i%4 == 0 {
			sev = check.Critical
		}
		fs = append(fs, report.Finding{Check: "vulnerability-threshold", Severity: sev, Object: image, Related: rel,
			Location: report.Location{File: "big.json"}, Message: fmt.Sprintf("CVE-2024-%05d", i)})
	}
	small := report.Finding{Check: "vulnerability-threshold", Severity: check.High, Object: report.Object{Kind: "Image", Name: "small:1"},
		Location: report.Location{File: "small.json"}, Message: "CVE-2024-99999 in openssl"}
	fs = append(fs, small)
	got := rows(fs)
	if len(got) != 3 {
		t.Fatalf("%d rows, want 2 aggregated and 1 plain: %+v", len(got), got)
	}
	if got[0].severity != check.Critical || !strings.HasPrefix(got[0].message, "2500 critical findings, aggregated (10000 in all") ||
		!strings.Contains(got[0].message, "related: Deployment/shop/big [app], CronJob/shop/big-nightly [app], Job/shop/a [app] and 1 more") {
		t.Errorf("first row = %+v", got[0])
	}
	if got[1].severity != check.High || !strings.HasPrefix(got[1].message, "7500 high findings") || got[1].location != "big.json" {
		t.Errorf("second row = %+v", got[1])
	}
	if got[2].message != small.Message {
		t.Errorf("a small group is aggregated: %+v", got[2])
	}
}
