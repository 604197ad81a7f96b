package cluster

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/engine"
	"github.com/akscheck/akscheck/internal/load"
)

// TestRegionPairsTable holds the bundled table well formed: every pair is a region of the
// table, and pairs are mutual but for the one-way pairs the page lists.
func TestRegionPairsTable(t *testing.T) {
	t.Parallel()
	oneWay := map[string]bool{"brazilsouth": true, "brazilsoutheast": true, "westindia": true, "westus3": true, "usgovarizona": true}
	for region, pair := range regionPairs {
		if pair == "" {
			continue
		}
		if _, ok := regionPairs[pair]; !ok {
			t.Errorf("%s pairs with %s, which the table does not list", region, pair)
		}
		if regionPairs[pair] != region && !oneWay[region] {
			t.Errorf("%s pairs with %s, but %s with %s", region, pair, pair, regionPairs[pair])
		}
	}
	if !paired("westeurope", "northeurope") || !paired("northeurope", "westeurope") || !paired("westus3", "eastus") {
		t.Error("paired misses a listed pair")
	}
	if paired("westeurope", "swedencentral") || paired("polandcentral", "") {
		t.Error("paired pairs regions the table does not pair")
	}
}

func TestParseRegionPairsErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", "header"},
		{"a,b\n", "want region,pair"},
		{"region,pair\nwesteurope\n", "wrong number of fields"},
		{"region,pair\n,northeurope\n", "line 2: empty region"},
		{"region,pair\nwesteurope,northeurope\nWest Europe,northeurope\n", "line 3: region westeurope listed twice"},
		{"region,pair\nwesteurope,West Europe\n", "paired with itself"},
	} {
		if _, err := parseRegionPairs([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseRegionPairs(%q) = %v, want an error with %q", tc.in, err, tc.want)
		}
	}
}

func FuzzParseRegionPairs(f *testing.F) {
	f.Add(regionPairsCSV)
	f.Add([]byte("region,pair\n\"a\nb\",c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseRegionPairs(data)
		if err != nil {
			return
		}
		for region, pair := range m {
			if region == "" || region == pair {
				t.Fatalf("parsed %q -> %q", region, pair)
			}
		}
	})
}

// TestFleetChecksOrder holds the fleet checks' findings the same whatever the order of the
// scan's clusters.
func TestFleetChecksOrder(t *testing.T) {
	t.Parallel()
	cat := catalog.MustLoad()
	for _, tc := range []struct {
		c   *check.Check
		dir string
	}{
		{DRMultiRegion, "testdata/dr-multiregion/fail_unpaired_regions"},
		{DRMultiRegion, "testdata/dr-multiregion/fail_one_region"},
		{SmallClusterSprawl, "testdata/small-cluster-sprawl/fail_three_small"},
	} {
		full := materialise(t, tc.dir)
		entries, err := os.ReadDir(full)
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, e := range entries {
			files = append(files, filepath.Join(full, e.Name()))
		}
		run := func(paths []string) []string {
			scan := load.Load(t.Context(), paths, load.Options{})
			if len(scan.Errors) > 0 {
				t.Fatalf("%s: %+v", tc.dir, scan.Errors)
			}
			rep := engine.Run(t.Context(), cat, []*check.Check{tc.c}, scan, engine.Options{Now: func() time.Time { return scanDate }})
			var out []string
			for _, f := range rep.Findings {
				out = append(out, f.Location.File+": "+f.Message)
			}
			slices.Sort(out)
			return out
		}
		forward := run(files)
		slices.Reverse(files)
		backward := run(files)
		if len(forward) == 0 || !slices.Equal(forward, backward) {
			t.Errorf("%s: findings differ with the order of the files:\n%q\n%q", tc.dir, forward, backward)
		}
		t.Logf("%s: %q", tc.dir, forward)
	}
}
