package bicep

import (
	"reflect"

	"github.com/akscheck/akscheck/internal/subject"
)

var locationType = reflect.TypeFor[subject.Location]()

// relocate rewrites every Location of the subjects that names file (the name the compiled
// template was loaded under) through fn. The ARM loader sets locations in many fields
// (every setting's Attr, the pools', maintenance and diagnostics maps); walking the values
// finds them all, including fields added later, where a list of fields would miss some.
func relocate(subjects []subject.Subject, file string, fn func(subject.Location) subject.Location) {
	r := relocator{file: file, fn: fn, seen: map[uintptr]bool{}, holds: map[reflect.Type]bool{}}
	for i := range subjects {
		v := reflect.ValueOf(&subjects[i]).Elem()
		r.walk(v)
	}
}

type relocator struct {
	file  string
	fn    func(subject.Location) subject.Location
	seen  map[uintptr]bool
	holds map[reflect.Type]bool
}

// mayHold reports whether a value of type t can contain a Location (cached; a recursive
// type is assumed to).
func (r *relocator) mayHold(t reflect.Type) bool {
	if h, ok := r.holds[t]; ok {
		return h
	}
	r.holds[t] = true // cycles: assume yes while deciding
	h := false
	switch t.Kind() {
	case reflect.Struct:
		if t == locationType {
			h = true
			break
		}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && r.mayHold(f.Type) {
				h = true
				break
			}
		}
	case reflect.Pointer, reflect.Slice, reflect.Array:
		h = r.mayHold(t.Elem())
	case reflect.Map:
		h = r.mayHold(t.Elem())
	case reflect.Interface:
		h = true
	}
	r.holds[t] = h
	return h
}

// walk rewrites the Locations inside v, which is settable (or a map or pointer).
func (r *relocator) walk(v reflect.Value) {
	if !r.mayHold(v.Type()) {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == locationType {
			if loc := v.Interface().(subject.Location); loc.File == r.file && v.CanSet() {
				v.Set(reflect.ValueOf(r.fn(loc)))
			}
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				r.walk(v.Field(i))
			}
		}
	case reflect.Pointer:
		if v.IsNil() || r.seen[v.Pointer()] {
			return
		}
		r.seen[v.Pointer()] = true
		r.walk(v.Elem())
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			r.walk(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		iter := v.MapRange()
		for iter.Next() {
			// Map values cannot be set in place: copy, rewrite, store back.
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(iter.Value())
			r.walk(e)
			v.SetMapIndex(iter.Key(), e)
		}
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		inner := v.Elem()
		if inner.Kind() == reflect.Pointer {
			r.walk(inner)
			return
		}
		if v.CanSet() {
			e := reflect.New(inner.Type()).Elem()
			e.Set(inner)
			r.walk(e)
			v.Set(e)
		}
	}
}
