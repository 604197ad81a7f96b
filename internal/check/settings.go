package check

import (
	"fmt"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Setting is a tunable input of checks, declared by the check that reads it (Meta.Settings):
// its key under checks.params in .akscheck.yaml, its type, its default and its doc. The
// config validates against the declarations, and config init and docs/config.md list them
// from there, so a new setting is one declaration in the check's own file.
type Setting interface {
	// Key is the setting's name under checks.params.
	Key() string
	// Doc says what the setting tunes.
	Doc() string
	// DefaultValue is the value checks see when nothing sets it.
	DefaultValue() any
	// Param reports whether .akscheck.yaml sets it under checks.params; a setting that is not
	// a param is set by a front-end from another source (a flag, another config section).
	Param() bool
	// Decode reads a value with unmarshal (the YAML decoder of the config) and validates it.
	Decode(unmarshal func(any) error) (any, error)
}

// Value is a setting of type T.
type Value[T any] struct {
	key, doc string
	def      T
	param    bool
	validate func(T) error
}

// NewParam declares a setting that .akscheck.yaml sets under checks.params. validate, when
// not nil, rejects values the checks cannot use.
func NewParam[T any](key, doc string, def T, validate func(T) error) *Value[T] {
	return &Value[T]{key: key, doc: doc, def: def, param: true, validate: validate}
}

// NewInput declares a setting that only a front-end sets (from a flag or another config
// section): the config's checks.params does not accept it.
func NewInput[T any](key, doc string, def T) *Value[T] {
	return &Value[T]{key: key, doc: doc, def: def}
}

// Key implements Setting.
func (v *Value[T]) Key() string { return v.key }

// Doc implements Setting.
func (v *Value[T]) Doc() string { return v.doc }

// DefaultValue implements Setting.
func (v *Value[T]) DefaultValue() any { return v.def }

// Default returns the value checks see when nothing sets it.
func (v *Value[T]) Default() T { return v.def }

// Param implements Setting.
func (v *Value[T]) Param() bool { return v.param }

// Decode implements Setting.
func (v *Value[T]) Decode(unmarshal func(any) error) (any, error) {
	var t T
	if err := unmarshal(&t); err != nil {
		return nil, err
	}
	if v.validate != nil {
		if err := v.validate(t); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Get returns the setting's value in a scan: what the config or a front-end set, else the
// default.
func (v *Value[T]) Get(env *Env) T {
	if env != nil {
		if x, ok := env.Settings[v.key].(T); ok {
			return x
		}
	}
	return v.def
}

// Lookup returns the value set in s, and whether one is.
func (v *Value[T]) Lookup(s Settings) (T, bool) {
	x, ok := s[v.key].(T)
	return x, ok
}

// Set sets the setting's value in s.
func (v *Value[T]) Set(s Settings, x T) { s[v.key] = x }

// Settings are the values set for a scan, by key; a key not set means its default.
type Settings map[string]any

// Clone returns a copy that can be changed without changing s.
func (s Settings) Clone() Settings {
	out := make(Settings, len(s))
	for k, v := range s {
		out[k] = v
	}
	return out
}

// SettingsOf returns the settings the checks declare, by key, in key order. Checks may share a
// setting (one declaration read by several checks); two declarations of one key are an error.
func SettingsOf(checks []*Check) ([]Setting, error) {
	byKey := map[string]Setting{}
	for _, c := range checks {
		for _, s := range c.Settings {
			if prev, ok := byKey[s.Key()]; ok && prev != s {
				return nil, fmt.Errorf("setting %q is declared twice (check %s declares another); share one declaration", s.Key(), c.ID)
			}
			byKey[s.Key()] = s
		}
	}
	out := make([]Setting, 0, len(byKey))
	for _, s := range byKey {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out, nil
}

// InlineYAML writes a setting's value as one line of YAML (lists and maps in flow style), as
// .akscheck.yaml would spell it: for config init and the docs.
func InlineYAML(v any) (string, error) {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return "", err
	}
	flowStyle(&n)
	out, err := yaml.Marshal(&n)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func flowStyle(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode || n.Kind == yaml.MappingNode {
		n.Style = yaml.FlowStyle
	}
	for _, c := range n.Content {
		flowStyle(c)
	}
}
