// Package jsonvalue reads values decoded from JSON (encoding/json's any: string, float64,
// bool, nil, []any, map[string]any), for the loaders that see settings that way: the ARM
// expression evaluator and the Terraform loader.
package jsonvalue

import "strconv"

// Scalar returns the string form of a scalar: a string as it is, a number in its shortest
// form, a boolean as true or false. ok is false for anything else (null, arrays, objects).
func Scalar(v any) (s string, ok bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case bool:
		return strconv.FormatBool(t), true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	}
	return "", false
}
