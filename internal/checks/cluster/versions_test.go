package cluster

import (
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/aksversion"
	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// TestVersionDataAge: shipped data older than 90 days adds an info finding, and only then.
func TestVersionDataAge(t *testing.T) {
	t.Parallel()
	c := &subject.Cluster{AzureResource: subject.AzureResource{Name: "aks", Source: subject.Location{File: "aks.json", Line: 1}}}
	c.CurrentKubernetesVersion = subject.KnownString("1.36.2", subject.Location{File: "aks.json", Line: 9})
	for _, tt := range []struct {
		asOf string
		info bool
	}{{"2026-11-01", false}, {"2026-07-01", true}} {
		data := aksversion.Shipped()
		data.AsOf = tt.asOf
		settings := check.Settings{}
		VersionsSetting.Set(settings, data)
		env := &check.Env{Settings: settings, Index: subject.NewIndex(nil, c), Now: scanDate}
		r := check.NewResult(&KubernetesVersion.Meta, c)
		KubernetesVersion.Run(t.Context(), env, c, r)
		var infos int
		for _, f := range r.Findings() {
			if f.Severity == check.Info && strings.Contains(f.Message, "days old") {
				infos++
			}
		}
		if (infos == 1) != tt.info {
			t.Errorf("data as of %s at %s: %d age findings (%+v)", tt.asOf, scanDate.Format(time.DateOnly), infos, r.Findings())
		}
	}
}

func TestImageDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string
	}{
		{"AKSUbuntu-2204gen2containerd-202501.12.0", "2025-01-12"},
		{"AKSAzureLinux-V2gen2-202410.09.0", "2024-10-09"},
		{"AKSWindows-2022-containerd-20348.2966.241211", "2024-12-11"},
		{"AKSUbuntu-2204gen2containerd-202513.40.0", ""},
		{"custom", ""},
	}
	for _, tt := range tests {
		got, ok := imageDate(tt.in)
		if s := got.Format("2006-01-02"); (ok && s != tt.want) || (!ok && tt.want != "") {
			t.Errorf("imageDate(%q) = %s, %v; want %q", tt.in, s, ok, tt.want)
		}
	}
}
