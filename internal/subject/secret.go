package subject

import (
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"

	"github.com/akscheck/akscheck/internal/credential"
)

// SecretValue is what the model keeps of one value of a Secret once the loader has blanked
// it: where it was written, its key and its shape. No part of the value is kept.
type SecretValue struct {
	// Field is "data" or "stringData".
	Field string
	Key   string
	// Shape is what the value looks like (a URL, a hostname, a credential...).
	Shape credential.Shape
	// Kind names the kind of credential for a credential-like value ("a PEM private key"),
	// in fixed words; "" otherwise.
	Kind string
}

// Path returns the field path of the value (data.password).
func (v SecretValue) Path() string { return v.Field + "." + v.Key }

// ClassifySecret returns the shape of each value of a Secret's JSON (data values decoded from
// base64, stringData as written), by field then key; nil for other kinds. Loaders call it
// before RedactSecretJSON and RedactSecret blank the values, so that checks can tell a Secret
// of URLs from one of passwords without ever seeing either.
func ClassifySecret(kind string, raw []byte) []SecretValue {
	if !strings.EqualFold(kind, "Secret") {
		return nil
	}
	var obj struct {
		Data       map[string]json.RawMessage `json:"data"`
		StringData map[string]json.RawMessage `json:"stringData"`
	}
	if json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	var out []SecretValue
	add := func(field string, values map[string]json.RawMessage, decode bool) {
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sv := SecretValue{Field: field, Key: k, Shape: credential.Opaque}
			var s string
			if json.Unmarshal(values[k], &s) == nil {
				if decode {
					b, err := base64.StdEncoding.DecodeString(s)
					if err != nil {
						out = append(out, sv)
						continue
					}
					s = string(b)
				}
				sv.Shape, sv.Kind = credential.Classify(s)
			}
			out = append(out, sv)
		}
	}
	add("data", obj.Data, true)
	add("stringData", obj.StringData, false)
	return out
}
