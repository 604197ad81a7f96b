// Package jsonout renders the report as the JSON contract (docs/report.schema.json).
//
// Control, bidi and invisible characters of scanned values are written as JSON escapes
// (sanitize.JSON): the document carries the exact values, and printing it is safe.
//
// Lists are written one element per line: a report of a large estate stays readable and
// diffable, and is written in one pass (re-indenting a 40 MB document costs as much as
// encoding it).
package jsonout

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"reflect"

	"github.com/akscheck/akscheck/internal/render/sanitize"
	"github.com/akscheck/akscheck/internal/report"
)

// Render writes the report as JSON.
func Render(w io.Writer, rep *report.Report) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := &encoder{w: bw}
	e.raw("{\n")
	e.field("schemaVersion", rep.SchemaVersion, false)
	e.field("tool", rep.Tool, false)
	if rep.GeneratedAt != "" {
		e.field("generatedAt", rep.GeneratedAt, false)
	}
	e.list("inputs", rep.Inputs)
	e.list("findings", rep.Findings)
	if len(rep.Suppressed) > 0 {
		e.list("suppressed", rep.Suppressed)
	}
	e.list("items", rep.Items)
	if len(rep.Errors) > 0 {
		e.list("errors", rep.Errors)
	}
	if len(rep.Notices) > 0 {
		e.list("notices", rep.Notices)
	}
	if rep.Baseline != nil {
		e.field("baseline", rep.Baseline, false)
	}
	e.field("summary", rep.Summary, true)
	e.raw("}\n")
	if e.err != nil {
		return fmt.Errorf("writing JSON report: %w", e.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing JSON report: %w", err)
	}
	return nil
}

type encoder struct {
	w     *bufio.Writer
	err   error
	comma bool
}

func (e *encoder) raw(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

func (e *encoder) value(v any) {
	if e.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		e.err = err
		return
	}
	_, e.err = e.w.Write(sanitize.JSON(b))
}

func (e *encoder) key(name string) {
	if e.comma {
		e.raw(",\n")
	}
	e.comma = true
	e.raw("  \"" + name + "\": ")
}

func (e *encoder) field(name string, v any, last bool) {
	e.key(name)
	e.value(v)
	if last {
		e.raw("\n")
	}
}

// list writes a slice field with one element per line.
func (e *encoder) list(name string, slice any) {
	e.key(name)
	v := reflect.ValueOf(slice)
	if v.Len() == 0 {
		e.raw("[]")
		return
	}
	e.raw("[\n")
	for i := 0; i < v.Len(); i++ {
		e.raw("    ")
		e.value(v.Index(i).Interface())
		if i < v.Len()-1 {
			e.raw(",\n")
		}
	}
	e.raw("\n  ]")
}
