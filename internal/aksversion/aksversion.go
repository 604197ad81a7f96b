// Package aksversion knows which AKS Kubernetes minor versions are supported on a date: a
// versioned data file shipped with akscheck (GA, end of life and LTS end of life of each
// minor, with the date it was taken and its source), or the output of az aks get-versions
// (which wins: it is what the region offers now).
//
// Regenerate the shipped file from the release calendar and, optionally, the output of
// az aks get-versions (which adds the patch versions):
//
//	az aks get-versions -l westeurope -o json > /tmp/versions.json
//	go run ./internal/aksversion/cmd/aksversions -calendar ../shared/reference/aks-versions.md \
//	    -versions /tmp/versions.json -as-of 2026-11-24 > internal/aksversion/data/aks-versions.json
package aksversion

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed data/aks-versions.json
var shipped []byte

// Minor is one Kubernetes minor version of AKS.
type Minor struct {
	Version string `json:"version"`
	// GA is the AKS general availability (first day of the month when only the month is
	// known).
	GA string `json:"ga,omitempty"`
	// EndOfLife is the last day of standard support (YYYY-MM-DD).
	EndOfLife string `json:"endOfLife,omitempty"`
	// LTSEndOfLife is the last day of long-term support, when the minor has it.
	LTSEndOfLife string `json:"ltsEndOfLife,omitempty"`
	// Patches are the patch versions AKS offers (from az aks get-versions), when known.
	Patches []string `json:"patches,omitempty"`
	// Preview minors do not count as supported.
	Preview bool `json:"preview,omitempty"`
	// LTSOnly minors are offered only with the AKSLongTermSupport plan (az aks get-versions).
	LTSOnly bool `json:"ltsOnly,omitempty"`
	// LTS minors can run with the AKSLongTermSupport plan (az aks get-versions).
	LTS bool `json:"lts,omitempty"`
}

// Data is the version data.
type Data struct {
	// AsOf is when the data was taken (YYYY-MM-DD); empty for az aks get-versions output,
	// which is current by nature.
	AsOf   string  `json:"asOf,omitempty"`
	Source string  `json:"source"`
	Minors []Minor `json:"minors"`
	// Live is true for az aks get-versions output: the supported set is what it lists.
	Live bool `json:"-"`
}

// Shipped returns the data embedded in akscheck.
func Shipped() *Data {
	d, err := Parse(shipped)
	if err != nil {
		// The embedded file is checked by the package's tests.
		return &Data{Source: "invalid embedded data: " + err.Error()}
	}
	return d
}

// Parse reads a data file in the shipped format, or az aks get-versions output.
func Parse(data []byte) (*Data, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("reading version data: %w", err)
	}
	if _, ok := probe["values"]; ok {
		return FromGetVersions(data)
	}
	var d Data
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("reading version data: %w", err)
	}
	if len(d.Minors) == 0 {
		return nil, fmt.Errorf("reading version data: no minors (want the shipped format or az aks get-versions -o json output)")
	}
	if d.AsOf != "" {
		if _, err := time.Parse(time.DateOnly, d.AsOf); err != nil {
			return nil, fmt.Errorf("reading version data: asOf: %w", err)
		}
	}
	d.sort()
	return &d, nil
}

// getVersions is the shape of az aks get-versions -o json (and the kubernetesVersions REST
// list).
type getVersions struct {
	Values []struct {
		Version      string `json:"version"`
		IsPreview    *bool  `json:"isPreview"`
		Capabilities struct {
			SupportPlan []string `json:"supportPlan"`
		} `json:"capabilities"`
		PatchVersions map[string]json.RawMessage `json:"patchVersions"`
	} `json:"values"`
}

// FromGetVersions reads az aks get-versions -o json output.
func FromGetVersions(data []byte) (*Data, error) {
	var gv getVersions
	if err := json.Unmarshal(data, &gv); err != nil {
		return nil, fmt.Errorf("reading az aks get-versions output: %w", err)
	}
	if len(gv.Values) == 0 {
		return nil, fmt.Errorf("reading az aks get-versions output: no values")
	}
	d := &Data{Source: "az aks get-versions", Live: true}
	for _, v := range gv.Values {
		m := Minor{Version: MinorOf(v.Version), Preview: v.IsPreview != nil && *v.IsPreview}
		official := len(v.Capabilities.SupportPlan) == 0
		for _, p := range v.Capabilities.SupportPlan {
			switch strings.ToLower(p) {
			case "kubernetesofficial":
				official = true
			case "akslongtermsupport":
				m.LTS = true
			}
		}
		m.LTSOnly = m.LTS && !official
		for p := range v.PatchVersions {
			m.Patches = append(m.Patches, p)
		}
		sortVersions(m.Patches)
		d.Minors = append(d.Minors, m)
	}
	d.sort()
	return d, nil
}

// Minors from the shipped data and get-versions merge: the list of minors and patches of
// get-versions, the dates of the shipped data.
func (d *Data) sort() {
	sort.Slice(d.Minors, func(i, j int) bool { return Compare(d.Minors[i].Version, d.Minors[j].Version) < 0 })
}

// Find returns the minor of a version ("1.33.2" → 1.33), or nil.
func (d *Data) Find(version string) *Minor {
	mv := MinorOf(version)
	for i := range d.Minors {
		if d.Minors[i].Version == mv {
			return &d.Minors[i]
		}
	}
	return nil
}

// Age returns how old the data is at now; zero for get-versions output.
func (d *Data) Age(now time.Time) time.Duration {
	t, err := time.Parse(time.DateOnly, d.AsOf)
	if err != nil || d.Live {
		return 0
	}
	return now.Sub(t)
}

// Verdict is what the data says of a version on a date.
type Verdict struct {
	// Known is false when the data cannot judge the version (newer than anything it lists,
	// or not a version).
	Known bool
	// Supported is true when the minor is in support (standard, or LTS when the cluster
	// runs the LTS plan on the Premium tier).
	Supported bool
	// Oldest is true when the minor is the oldest one in standard support (upgrade soon).
	Oldest bool
	// EndOfLife is the last day of the support that applies, when known.
	EndOfLife string
	// LatestPatch is the newest patch of the minor, when the data lists patches.
	LatestPatch string
}

// Judge says whether a version is supported on a date. lts is true when the cluster runs
// the AKSLongTermSupport plan on the Premium tier.
func (d *Data) Judge(version string, lts bool, now time.Time) Verdict {
	mv := MinorOf(version)
	if mv == "" {
		return Verdict{}
	}
	var supported []string
	for _, m := range d.Minors {
		if d.standard(m, now) {
			supported = append(supported, m.Version)
		}
	}
	m := d.Find(version)
	if m == nil {
		// Older than every minor listed: long gone. Newer: the data is behind.
		if len(d.Minors) > 0 && Compare(mv, d.Minors[0].Version) < 0 {
			return Verdict{Known: true}
		}
		if len(d.Minors) > 0 && Compare(mv, d.Minors[len(d.Minors)-1].Version) < 0 {
			return Verdict{Known: true}
		}
		return Verdict{}
	}
	v := Verdict{Known: true, EndOfLife: m.EndOfLife}
	if len(m.Patches) > 0 {
		v.LatestPatch = m.Patches[len(m.Patches)-1]
	}
	switch {
	case d.standard(*m, now):
		v.Supported = true
		v.Oldest = len(supported) > 1 && supported[0] == m.Version && !lts
	case lts && d.longTerm(*m, now):
		v.Supported = true
		v.EndOfLife = m.LTSEndOfLife
	}
	return v
}

// standard reports whether a minor is in standard support at now.
func (d *Data) standard(m Minor, now time.Time) bool {
	if m.Preview {
		return false
	}
	if d.Live {
		return !m.LTSOnly
	}
	ga, err := time.Parse(time.DateOnly, m.GA)
	if err != nil || now.Before(ga) {
		return false
	}
	return onOrBefore(now, m.EndOfLife)
}

func (d *Data) longTerm(m Minor, now time.Time) bool {
	if d.Live {
		return m.LTS
	}
	return m.LTSEndOfLife != "" && onOrBefore(now, m.LTSEndOfLife)
}

// onOrBefore reports whether now is on or before the last day of support (UTC).
func onOrBefore(now time.Time, last string) bool {
	t, err := time.Parse(time.DateOnly, last)
	if err != nil {
		return false
	}
	return now.UTC().Before(t.AddDate(0, 0, 1))
}

// MinorOf returns "1.33" of "1.33.2", "v1.33" or "1.33"; "" when it is not a version.
func MinorOf(v string) string {
	parts := parse(v)
	if len(parts) < 2 {
		return ""
	}
	return strconv.Itoa(parts[0]) + "." + strconv.Itoa(parts[1])
}

func parse(v string) []int {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		v = v[:i]
	}
	var out []int
	for _, p := range strings.Split(v, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil
		}
		out = append(out, n)
	}
	return out
}

// Parts returns the numbers of a version ("1.33.2" → 1, 33, 2); nil when it is not one.
func Parts(v string) []int { return parse(v) }

// Compare compares two versions numerically; unparsable versions sort first.
func Compare(a, b string) int {
	pa, pb := parse(a), parse(b)
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func sortVersions(vs []string) {
	sort.Slice(vs, func(i, j int) bool { return Compare(vs[i], vs[j]) < 0 })
}
