package aksversion

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.Add(12 * time.Hour)
}

func TestShipped(t *testing.T) {
	t.Parallel()
	d := Shipped()
	if len(d.Minors) < 10 || d.AsOf == "" || d.Source == "" {
		t.Fatalf("shipped data: %+v", d)
	}
	if age := d.Age(date(d.AsOf).AddDate(0, 0, 100)); age < 99*24*time.Hour {
		t.Errorf("age %v", age)
	}
}

func TestJudgeByDate(t *testing.T) {
	t.Parallel()
	d := Shipped()
	now := date("2026-11-24")
	tests := []struct {
		version        string
		lts            bool
		known, ok, old bool
	}{
		{"1.36.2", false, true, true, false},
		{"1.37.1", false, true, true, false},
		{"1.34.3", false, true, true, true}, // end of life 2026-11-30: the oldest supported
		{"1.33.5", false, true, false, false},
		{"1.33.5", true, true, true, false}, // LTS until Jul 2027
		{"1.28.9", true, true, false, false},
		{"1.20.0", false, true, false, false}, // older than anything listed
		{"1.41.0", false, false, false, false},
		{"latest", false, false, false, false},
	}
	for _, tt := range tests {
		v := d.Judge(tt.version, tt.lts, now)
		if v.Known != tt.known || v.Supported != tt.ok || v.Oldest != tt.old {
			t.Errorf("Judge(%s, lts=%v) = %+v", tt.version, tt.lts, v)
		}
	}
	if v := d.Judge("1.34.3", false, date("2026-12-01")); v.Supported {
		t.Errorf("1.34 ends on 2026-11-30: %+v", v)
	}
}

func TestGetVersions(t *testing.T) {
	t.Parallel()
	d, err := Parse([]byte(`{"values": [
 {"version": "1.35", "capabilities": {"supportPlan": ["KubernetesOfficial"]}, "patchVersions": {"1.35.10": {}, "1.35.9": {}}},
 {"version": "1.36", "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]}, "patchVersions": {"1.36.4": {}}},
 {"version": "1.32", "capabilities": {"supportPlan": ["AKSLongTermSupport"]}, "patchVersions": {"1.32.9": {}}},
 {"version": "1.38", "isPreview": true, "patchVersions": {"1.38.0": {}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	now := date("2030-01-01") // dates do not matter: the list is what the region offers
	if v := d.Judge("1.35.9", false, now); !v.Supported || !v.Oldest || v.LatestPatch != "1.35.10" {
		t.Errorf("1.35.9: %+v", v)
	}
	if v := d.Judge("1.32.9", false, now); v.Supported {
		t.Errorf("an LTS-only minor without LTS: %+v", v)
	}
	if v := d.Judge("1.32.9", true, now); !v.Supported {
		t.Errorf("an LTS-only minor with LTS: %+v", v)
	}
	if v := d.Judge("1.34.1", false, now); !v.Known || v.Supported {
		t.Errorf("a minor missing from the list: %+v", v)
	}
	if v := d.Judge("1.38.0", false, now); v.Supported {
		t.Errorf("preview: %+v", v)
	}
	if d.Age(now) != 0 {
		t.Errorf("get-versions output has no age")
	}
	if _, err := Parse([]byte(`{"minors": []}`)); err == nil {
		t.Errorf("empty data must be refused")
	}
}

func TestParseCalendar(t *testing.T) {
	t.Parallel()
	md := "| Kubernetes minor | Upstream release | AKS preview | AKS GA | End of life | Platform support | LTS end of life |\n" +
		"|---|---|---|---|---|---|---|\n" +
		"| 1.30 | Apr 2024 | Jun 2024 | Jul 2024 | 2025-08-22 | until 1.34 GA | Jul 2026 |\n" +
		"| 1.32 | Dec 2024 | Feb 2025 | Apr 2025 | Feb 2026 | until 1.36 GA | — |\n"
	minors, err := ParseCalendar([]byte(md))
	if err != nil {
		t.Fatal(err)
	}
	want := []Minor{{Version: "1.30", GA: "2024-07-01", EndOfLife: "2025-08-22", LTSEndOfLife: "2026-07-31", LTS: true},
		{Version: "1.32", GA: "2025-04-01", EndOfLife: "2026-02-28"}}
	for i := range want {
		if minors[i].Version != want[i].Version || minors[i].GA != want[i].GA || minors[i].EndOfLife != want[i].EndOfLife ||
			minors[i].LTSEndOfLife != want[i].LTSEndOfLife || minors[i].LTS != want[i].LTS {
			t.Errorf("row %d: %+v, want %+v", i, minors[i], want[i])
		}
	}
	if _, err := ParseCalendar([]byte("| 1.30 | a | b | c | Smarch 2024 | d | e |\n")); err == nil {
		t.Errorf("bad date accepted")
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	if Compare("1.33.10", "1.33.9") != 1 || Compare("v1.33", "1.33.0") != 0 || MinorOf("1.33.2") != "1.33" || MinorOf("x") != "" {
		t.Error("version arithmetic")
	}
}
