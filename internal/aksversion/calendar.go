package aksversion

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"time"
)

// ParseCalendar reads the "AKS Kubernetes release calendar" table of the AKS docs (as
// kept in shared/reference/aks-versions.md): | minor | upstream | preview | GA | end of
// life | platform support | LTS end of life |. A month means its first day for GA and its
// last day for an end of life, as the page says.
func ParseCalendar(md []byte) ([]Minor, error) {
	var out []Minor
	sc := bufio.NewScanner(bytes.NewReader(md))
	line := 0
	for sc.Scan() {
		line++
		cells := strings.Split(strings.Trim(strings.TrimSpace(sc.Text()), "|"), "|")
		if len(cells) < 7 {
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if MinorOf(cells[0]) == "" || MinorOf(cells[0]) != cells[0] {
			continue
		}
		ga, err := calendarDate(cells[3], false)
		if err != nil {
			return nil, fmt.Errorf("line %d: GA: %w", line, err)
		}
		eol, err := calendarDate(cells[4], true)
		if err != nil {
			return nil, fmt.Errorf("line %d: end of life: %w", line, err)
		}
		lts, err := calendarDate(cells[6], true)
		if err != nil {
			return nil, fmt.Errorf("line %d: LTS end of life: %w", line, err)
		}
		out = append(out, Minor{Version: cells[0], GA: ga, EndOfLife: eol, LTSEndOfLife: lts, LTS: lts != ""})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no release calendar rows found")
	}
	return out, sc.Err()
}

// calendarDate turns "Jul 2024" or "2025-08-22" into YYYY-MM-DD; "—" and "" into "".
func calendarDate(s string, endOfMonth bool) (string, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "", "—", "-", "N/A":
		return "", nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.Format(time.DateOnly), nil
	}
	t, err := time.Parse("Jan 2006", s)
	if err != nil {
		return "", fmt.Errorf("%q is neither YYYY-MM-DD nor a month", s)
	}
	if endOfMonth {
		t = t.AddDate(0, 1, -1)
	}
	return t.Format(time.DateOnly), nil
}

// Merge adds what az aks get-versions says (patches, LTS capability, minors the calendar
// does not list yet) to calendar data.
func Merge(cal []Minor, live *Data) []Minor {
	out := append([]Minor{}, cal...)
	if live == nil {
		return out
	}
	for _, lm := range live.Minors {
		found := false
		for i := range out {
			if out[i].Version == lm.Version {
				out[i].Patches = lm.Patches
				out[i].LTS = out[i].LTS || lm.LTS
				found = true
			}
		}
		if !found && !lm.Preview {
			out = append(out, Minor{Version: lm.Version, Patches: lm.Patches, LTS: lm.LTS})
		}
	}
	d := &Data{Minors: out}
	d.sort()
	return d.Minors
}
