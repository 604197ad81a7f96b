package subject

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// A quantity's text is not bounded by resource.ParseQuantity: "1E-5555555555" keeps it busy
// for minutes (rounding a number of five billion digits), "E5555555555" for seconds, and a
// quantity of a million digits takes minutes to print. The API server has the same parser, so
// no cluster holds such a value; a manifest or an admission request can. These bounds are far
// above any quantity an int64 holds (19 digits, exponent 18) and far below what costs time.
const (
	maxQuantityText   = 64
	maxExponentDigits = 3
)

var (
	errQuantityTooLong = fmt.Errorf("longer than %d characters", maxQuantityText)
	errExponentTooLong = fmt.Errorf("its exponent has more than %d digits", maxExponentDigits)
)

// CheckQuantityText reports a quantity's text that resource.ParseQuantity must not be given:
// one longer than 64 characters, or with an exponent of more than 3 digits. Nil says nothing
// of whether the text is a quantity.
func CheckQuantityText(s string) error {
	s = strings.TrimSpace(s) // as Quantity.UnmarshalJSON does
	if len(s) > maxQuantityText {
		return errQuantityTooLong
	}
	if exponentDigits([]byte(s), numberEnd([]byte(s), 0)) > maxExponentDigits {
		return errExponentTooLong
	}
	return nil
}

// QuantityError is a quantity whose text CheckQuantityText refuses, where the decoding of an
// object found it.
type QuantityError struct {
	// Path is the field as it is written: spec.containers[0].resources.limits.cpu.
	Path string
	// Text is the value, or its start when it is long (a quantity can be a megabyte long),
	// and Len its length.
	Text string
	Len  int
	// Keys are Path's keys without its list indexes (a key may hold dots:
	// limits.example.com/gpu), for finding the field's line.
	Keys []string
	Err  error
}

func (e *QuantityError) Error() string {
	text := strconv.Quote(e.Text)
	if e.Len > len(e.Text) {
		text = fmt.Sprintf("%s (%d characters)", strconv.Quote(e.Text+"…"), e.Len)
	}
	return fmt.Sprintf("field %s: %s is not a quantity akscheck reads: %v", e.Path, text, e.Err)
}

func (e *QuantityError) Unwrap() error { return e.Err }

// checkQuantities finds, in an object's JSON about to be decoded into typed, the first
// quantity CheckQuantityText refuses. Most objects hold no text that could be one, which a
// pass over the bytes tells; only the others are decoded generically and walked along typed's
// fields.
func checkQuantities(raw []byte, typed any) error {
	if !mayHoldUnboundedNumber(raw) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil // json.Unmarshal reports it
	}
	w := quantityWalk{}
	if w.value(v, reflect.TypeOf(typed), 0) {
		return &w.err
	}
	return nil
}

// mayHoldUnboundedNumber reports a run of more than 64 digits, or an exponent of more than 3
// digits, at the start of a JSON string or number (after any white space): what
// CheckQuantityText refuses and what costs ParseQuantity time; text of other shapes fails to
// parse at once. An escaped string is read the way the walk reads it, unescaped, although
// Quantity.UnmarshalJSON does not unescape (to it, "\u0031E-5555555555" is no quantity): an
// escaped digit, sign, dot or e counts as one, and white space written as an escape (\n,
// \u00a0) ends a word. Either way such an object is refused, by the walk or by the decoding.
func mayHoldUnboundedNumber(raw []byte) bool {
	backslash := -6 // the last one seen
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		// A number starts after a byte that cannot be part of a word, or after an escape.
		if isWordByte(c) {
			if i-backslash > 5 {
				continue
			}
		} else if c == '\\' {
			if escapesNumberByte(raw[i:]) {
				return true
			}
			backslash = i
		}
		start := i + 1
		end := numberEnd(raw, start)
		if end-start > maxQuantityText || exponentDigits(raw, end) > maxExponentDigits {
			return true
		}
		if end > start {
			i = end - 1
		}
	}
	return false
}

func isWordByte(c byte) bool { return wordBytes[c] }

// wordBytes are the bytes of [A-Za-z0-9_], a table: the pass reads every byte of an object.
var wordBytes = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
	}
	return t
}()

// escapesNumberByte reports a \u escape of a digit, +, -, ., e or E at the start of b.
func escapesNumberByte(b []byte) bool {
	if len(b) < 6 || b[1] != 'u' || b[2] != '0' || b[3] != '0' {
		return false
	}
	switch hi, lo := b[4], b[5]|0x20; hi {
	case '3':
		return lo >= '0' && lo <= '9'
	case '2':
		return lo == 'b' || lo == 'd' || lo == 'e'
	case '4', '6':
		return lo == '5'
	}
	return false
}

// numberEnd is where the sign, digits and dots starting at i end.
func numberEnd(b []byte, i int) int {
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	for i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] == '.') {
		i++
	}
	return i
}

// exponentDigits counts the digits of the exponent at i ("e", "E", a sign, digits): 0 when
// there is none.
func exponentDigits(b []byte, i int) int {
	if i >= len(b) || (b[i] != 'e' && b[i] != 'E') {
		return 0
	}
	i++
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	n := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i, n = i+1, n+1
	}
	return n
}

var quantityType = reflect.TypeFor[resource.Quantity]()

// quantityWalk follows a generically decoded object along the Go type it is decoded into, as
// encoding/json matches fields (json names, inlined embedded structs, case-insensitive),
// to the quantities.
type quantityWalk struct {
	path []string // written parts: "spec", ".containers", "[0]"
	keys []string
	err  QuantityError
}

func (w *quantityWalk) value(v any, t reflect.Type, depth int) bool {
	if depth > 64 || v == nil {
		return false
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == quantityType {
		var text string
		switch q := v.(type) {
		case string:
			text = q
		case json.Number:
			text = string(q)
		default:
			return false
		}
		if err := CheckQuantityText(text); err != nil {
			w.err = QuantityError{Path: strings.Join(w.path, ""), Text: shortText(text), Len: len(text), Keys: slices.Clone(w.keys), Err: err}
			return true
		}
		return false
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		return w.fields(m, t, depth)
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			return false
		}
		for _, k := range slices.Sorted(maps.Keys(m)) { // the first in a stable order
			if w.child(k, m[k], t.Elem(), depth) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		l, ok := v.([]any)
		if !ok {
			return false
		}
		for i, e := range l {
			w.path = append(w.path, "["+strconv.Itoa(i)+"]")
			found := w.value(e, t.Elem(), depth+1)
			w.path = w.path[:len(w.path)-1]
			if found {
				return true
			}
		}
	}
	return false
}

// fields walks the JSON object m along the struct type t.
func (w *quantityWalk) fields(m map[string]any, t reflect.Type, depth int) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if w.fields(m, ft, depth+1) {
					return true
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		// encoding/json decodes every member whose name is the field's without regard to
		// case into the field, the exact one first.
		if v, ok := m[name]; ok && w.child(name, v, f.Type, depth) {
			return true
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if k != name && strings.EqualFold(k, name) && w.child(k, m[k], f.Type, depth) {
				return true
			}
		}
	}
	return false
}

func (w *quantityWalk) child(key string, v any, t reflect.Type, depth int) bool {
	part := key
	if len(w.path) > 0 {
		part = "." + key
	}
	w.path, w.keys = append(w.path, part), append(w.keys, key)
	found := w.value(v, t, depth+1)
	w.path, w.keys = w.path[:len(w.path)-1], w.keys[:len(w.keys)-1]
	return found
}

// shortText is the start of a long text, for an error message.
func shortText(s string) string {
	const keep = 24
	if len(s) <= keep {
		return s
	}
	return strings.ToValidUTF8(s[:keep], "")
}
