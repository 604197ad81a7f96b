// Package baseline records the findings of a scan and compares later scans with them, so that a
// CI gate fails only on new findings. The engine applies it as its last suppression: matching
// findings move to the report's suppressed list (suppressedBy "baseline"), and the item
// statuses and the score stay as the findings decide them.
package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/report"
)

// Version is the version of the baseline file format.
const Version = 1

// File is a baseline: the findings of one scan, by fingerprint.
type File struct {
	Version  int     `json:"version"`
	Tool     string  `json:"tool,omitempty"`
	Findings []Entry `json:"findings"`
}

// Entry is one recorded finding. The fingerprint is what matches; the other fields say what
// the finding was, for the list of fixed findings and for people reading the file. Lines and
// files are left out on purpose: they change when a manifest is edited.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	report.FixedFinding
}

// New records the findings of a report as they were before any baseline was applied: its
// findings and those a baseline moved aside, in report order (not the exempted ones).
func New(rep *report.Report, cat *catalog.Catalog) *File {
	var moved []report.Finding
	for _, f := range rep.Suppressed {
		if f.SuppressedBy == report.SuppressedByBaseline {
			f.SuppressedBy = ""
			moved = append(moved, f)
		}
	}
	all := report.MergeFindings(cat, rep.Findings, moved)
	b := &File{Version: Version, Tool: rep.Tool.Name + " " + rep.Tool.Version, Findings: make([]Entry, 0, len(all))}
	for _, f := range all {
		b.Findings = append(b.Findings, Entry{Fingerprint: report.Fingerprint(f), FixedFinding: fixed(f)})
	}
	return b
}

func fixed(f report.Finding) report.FixedFinding {
	return report.FixedFinding{Check: f.Check, Item: f.Item, Severity: f.Severity, Message: f.Message, Object: f.Object, Container: f.Container}
}

// Write writes a baseline file, one finding per line so that it diffs well under review.
func Write(w io.Writer, b *File) error {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "{\n  \"version\": %d,\n", b.Version)
	if b.Tool != "" {
		tool, _ := json.Marshal(b.Tool) // a string always marshals
		fmt.Fprintf(&buf, "  \"tool\": %s,\n", tool)
	}
	buf.WriteString("  \"findings\": [")
	for i, e := range b.Findings {
		line, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encoding baseline: %w", err)
		}
		if i > 0 {
			buf.WriteString(",")
		}
		buf.WriteString("\n    ")
		buf.Write(line)
	}
	if len(b.Findings) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteString("]\n}\n")
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing baseline: %w", err)
	}
	return nil
}

// WriteFile writes a baseline file at path.
func WriteFile(path string, b *File) error {
	var buf bytes.Buffer
	if err := Write(&buf, b); err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing baseline %s: %w", path, err)
	}
	return nil
}

// Read parses a baseline file; source names it in errors.
func Read(r io.Reader, source string) (*File, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var b File
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("reading baseline %s: %w", source, describe(err))
	}
	if dec.More() {
		return nil, fmt.Errorf("reading baseline %s: more than one JSON document", source)
	}
	if b.Version != Version {
		return nil, fmt.Errorf("reading baseline %s: version %d is not supported (want %d)", source, b.Version, Version)
	}
	for i, e := range b.Findings {
		if e.Fingerprint == "" || e.Check == "" {
			return nil, fmt.Errorf("reading baseline %s: finding %d has no fingerprint or check", source, i+1)
		}
	}
	return &b, nil
}

// describe adds the byte offset to a JSON syntax or type error.
func describe(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("at byte %d: %w", syn.Offset, err)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("at byte %d: %w", typ.Offset, err)
	}
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("empty file: %w", err)
	}
	return err
}

// ReadFile reads the baseline file at path.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading baseline: %w", err)
	}
	defer f.Close()
	return Read(f, path)
}

// Apply compares the report's findings with the baseline. A finding matches a recorded one of
// the same fingerprint (a recorded one with the same message first, when several share it);
// matched findings move to rep.Suppressed with suppressedBy "baseline", and recorded findings
// that match nothing are listed in rep.Baseline.Fixed. Item statuses are not touched (the
// baseline does not make a failing item pass, it only says which findings are new); the
// engine applies it before it summarizes the report (report.Summarize).
func Apply(rep *report.Report, b *File, source string, cat *catalog.Catalog) {
	recorded := map[string][]int{} // fingerprint -> indexes into b.Findings, unmatched ones
	for i, e := range b.Findings {
		recorded[e.Fingerprint] = append(recorded[e.Fingerprint], i)
	}
	matched := make([]bool, len(rep.Findings))
	fps := make([]string, len(rep.Findings))
	for i, f := range rep.Findings {
		fps[i] = report.Fingerprint(f)
	}
	take := func(fp string, j int) {
		idx := recorded[fp]
		recorded[fp] = append(idx[:j:j], idx[j+1:]...)
	}
	// Exact messages first, so that a reworded or new sibling finding is the one left over.
	for i, f := range rep.Findings {
		for j, bi := range recorded[fps[i]] {
			if b.Findings[bi].Message == f.Message {
				matched[i] = true
				take(fps[i], j)
				break
			}
		}
	}
	for i := range rep.Findings {
		if !matched[i] && len(recorded[fps[i]]) > 0 {
			matched[i] = true
			take(fps[i], 0)
		}
	}

	kept := make([]report.Finding, 0, len(rep.Findings))
	var moved []report.Finding
	for i, f := range rep.Findings {
		if matched[i] {
			f.SuppressedBy = report.SuppressedByBaseline
			moved = append(moved, f)
			continue
		}
		kept = append(kept, f)
	}
	rep.Findings = kept
	rep.Suppressed = report.MergeFindings(cat, rep.Suppressed, moved)

	var left []int
	for _, idx := range recorded {
		left = append(left, idx...)
	}
	sort.Ints(left) // the baseline's own order, which is the order of the report it came from
	info := &report.Baseline{Source: source, Suppressed: len(moved), Fixed: make([]report.FixedFinding, 0, len(left))}
	for _, i := range left {
		info.Fixed = append(info.Fixed, b.Findings[i].FixedFinding)
	}
	rep.Baseline = info
}
