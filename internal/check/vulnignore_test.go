package check

import (
	"strings"
	"testing"
	"time"

	"github.com/akscheck/akscheck/internal/subject"
)

func TestVulnIgnore(t *testing.T) {
	t.Parallel()
	images := []subject.ImageRef{subject.ParseImage("contosoacr.azurecr.io/shop/web:1.0"),
		subject.ParseImage("contosoacr.azurecr.io/shop/web@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945")}
	for _, tc := range []struct {
		entry VulnIgnore
		match bool
		err   string
	}{
		{VulnIgnore{ID: "CVE-1", Reason: "r"}, true, ""},
		{VulnIgnore{ID: " cve-1 ", Reason: "r", Package: "openssl"}, true, ""},
		{VulnIgnore{ID: "CVE-1", Reason: "r", Package: "zlib"}, false, ""},
		{VulnIgnore{ID: "CVE-2", Reason: "r"}, false, ""},
		{VulnIgnore{ID: "CVE-1", Reason: "r", Image: "contosoacr.azurecr.io/shop/web"}, true, ""},
		{VulnIgnore{ID: "CVE-1", Reason: "r", Image: "contosoacr.azurecr.io/shop/web:1.0"}, true, ""},
		{VulnIgnore{ID: "CVE-1", Reason: "r", Image: "contosoacr.azurecr.io/shop/web:2.0"}, false, ""},
		{VulnIgnore{ID: "CVE-1", Reason: "r", Image: "contosoacr.azurecr.io/shop/web@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"}, true, ""},
		{VulnIgnore{ID: "CVE-1", Reason: "r", Image: "contosoacr.azurecr.io/shop/api"}, false, ""},
		{VulnIgnore{ID: "CVE-1"}, false, "no reason"},
		{VulnIgnore{Reason: "r"}, false, "no id"},
		{VulnIgnore{ID: "CVE-1", Reason: "r", Image: "Not An Image"}, false, "not an image reference"},
	} {
		if got := tc.entry.Matches("CVE-1", "openssl", images); got != tc.match {
			t.Errorf("%+v matches = %v, want %v", tc.entry, got, tc.match)
		}
		err := tc.entry.Validate()
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%+v: Validate() = %v, want %q", tc.entry, err, tc.err)
		}
	}
	e := VulnIgnore{ID: "CVE-1", Reason: "r", Expires: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	if e.Expired(time.Date(2026, 11, 30, 23, 59, 0, 0, time.UTC)) || !e.Expired(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("an entry applies until the first moment of its expiry date")
	}
	if (VulnIgnore{ID: "CVE-1", Reason: "r"}).Expired(time.Now()) {
		t.Error("an entry without expiry expired")
	}
}

func TestParseAge(t *testing.T) {
	t.Parallel()
	//nolint:gocritic // mapKey: the spaces in " 36h " are the case under test (ParseAge trims).
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, " 36h ": 36 * time.Hour, "90m": 90 * time.Minute, "0d": 0, "-1h": 0, "soon": 0, "d": 0} {
		got, err := ParseAge(in)
		if got != want || (want == 0) != (err != nil) {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestAge(t *testing.T) {
	t.Parallel()
	var a Age
	if err := a.UnmarshalText([]byte("7d")); err != nil || a.Duration() != 7*24*time.Hour || a.String() != "7d" {
		t.Errorf("7d = %v, %v", a, err)
	}
	if err := a.UnmarshalText([]byte("36h")); err != nil || a.String() != "36h0m0s" {
		t.Errorf("36h = %v, %v", a, err)
	}
	if err := a.UnmarshalText([]byte("soon")); err == nil {
		t.Error("soon parsed")
	}
	if Age(7*24*time.Hour).String() != "7d" {
		t.Errorf("a week = %s, want 7d", Age(7*24*time.Hour))
	}
}
