// Package config reads .akscheck.yaml: which checks run and how severe they are, check
// parameters, exemptions, attestations and custom CEL checks. The file is a contract users keep
// in git, so it is decoded strictly: an unknown key is an error naming the file, line and key,
// with a suggestion for near misses.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/akscheck/akscheck/internal/check"
)

// FileName is the config file looked for in the working directory.
const FileName = ".akscheck.yaml"

// Config is the content of .akscheck.yaml.
type Config struct {
	Checks          Checks          `yaml:"checks"`
	Exemptions      []Exemption     `yaml:"exemptions"`
	Attestations    []Attestation   `yaml:"attestations"`
	CustomChecks    []CustomCheck   `yaml:"customChecks"`
	Vulnerabilities Vulnerabilities `yaml:"vulnerabilities"`
	Admission       Admission       `yaml:"admission"`

	// Source is the file the config was read from ("" for the defaults).
	Source string `yaml:"-"`
}

// Checks tunes the built-in checks.
type Checks struct {
	// Disable lists check IDs or item IDs that do not run.
	Disable []string `yaml:"disable"`
	// Enable lists check IDs or item IDs of checks that are off by default
	// (DisabledByDefault) and should run.
	Enable []string `yaml:"enable"`
	// Severity overrides the severity of checks, by check ID or item ID.
	Severity map[string]string `yaml:"severity"`
	// Params are the values of the settings the checks declare (check.Meta.Settings), by
	// key; keys not given keep their defaults. Parse decodes them into settings.
	Params yaml.Node `yaml:"params"`
	// Strict ignores exemptions made by object annotations.
	Strict bool `yaml:"strict"`
	// AttestationMaxAgeDays is the age from which an attestation is reported as stale.
	AttestationMaxAgeDays int `yaml:"attestationMaxAgeDays"`

	settings      check.Settings
	severityLines map[string]int
	disableLines  []int
	enableLines   []int
}

// Exemption suppresses the findings of a check on the objects it names.
type Exemption struct {
	// Check is a check ID or an item ID.
	Check string `yaml:"check"`
	// Kind, Namespace, Name and Container are optional globs.
	Kind      string `yaml:"kind"`
	Namespace string `yaml:"namespace"`
	Name      string `yaml:"name"`
	Container string `yaml:"container"`
	// Reason is mandatory.
	Reason string `yaml:"reason"`
	// Expires is optional; from that day the exemption no longer applies.
	Expires Date `yaml:"expires"`

	Line int `yaml:"-"`
}

// Attestation records that a person checked a manual item.
type Attestation struct {
	Item     string `yaml:"item"`
	By       string `yaml:"by"`
	Date     Date   `yaml:"date"`
	Evidence string `yaml:"evidence"`

	Line int `yaml:"-"`
}

// CustomCheck is a platform team's own rule, in CEL.
type CustomCheck struct {
	ID string `yaml:"id"`
	// Item is a catalog item, or a new custom.<name> item described by Title and Section.
	Item    string `yaml:"item"`
	Title   string `yaml:"title"`
	Section string `yaml:"section"`
	// Severity defaults to medium.
	Severity string `yaml:"severity"`
	// Target is what the check judges besides Kubernetes objects: cluster (AKS clusters),
	// nodePool (their node pools) or registry (container registries). Kinds are for objects.
	Target string   `yaml:"target"`
	Kinds  []string `yaml:"kinds"`
	// Expression is true when the subject is compliant; object is the variable of an object
	// check, as in ValidatingAdmissionPolicy; cluster, pool or registry that of a target.
	Expression string `yaml:"expression"`
	// Message is a CEL expression giving the finding's message.
	Message     string `yaml:"message"`
	Remediation string `yaml:"remediation"`

	Line int `yaml:"-"`
}

// Admission says how admission enforces the checks: akscheck serve --webhook and the
// ValidatingAdmissionPolicies of akscheck admission-policy read it alike.
type Admission struct {
	// Enforce is the action (deny, warn, off) for the findings of each severity; severities
	// not named keep the default: deny at high and above, warn below.
	Enforce map[string]string `yaml:"enforce"`
	// Checks is the action for the findings of a check or of an item's checks; it wins over
	// Enforce.
	Checks map[string]string `yaml:"checks"`
	// ExcludeNamespaces are never reviewed; absent means kube-system. The webhook's own
	// namespace is never reviewed either.
	ExcludeNamespaces []string `yaml:"excludeNamespaces"`

	lines map[string]int
}

// Vulnerabilities tunes the image vulnerability checks.
type Vulnerabilities struct {
	Ignore []VulnerabilityIgnore `yaml:"ignore"`
}

// VulnerabilityIgnore suppresses a vulnerability ID, optionally for one package and image.
type VulnerabilityIgnore struct {
	ID      string `yaml:"id"`
	Package string `yaml:"package"`
	Image   string `yaml:"image"`
	Reason  string `yaml:"reason"`
	Expires Date   `yaml:"expires"`

	Line int `yaml:"-"`
}

// Date is a calendar day written as YYYY-MM-DD.
type Date struct{ time.Time }

// UnmarshalYAML reads YYYY-MM-DD.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	t, err := time.Parse(time.DateOnly, n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a date (want YYYY-MM-DD)", n.Line, n.Value)
	}
	d.Time = t
	return nil
}

// IsZero reports whether no date was given.
func (d Date) IsZero() bool { return d.Time.IsZero() }

// Default returns the configuration used when there is no config file.
func Default() *Config {
	return &Config{Checks: Checks{settings: check.Settings{}, AttestationMaxAgeDays: 365}}
}

// Error is a problem in a config file, with its line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Errors are all the problems of a config file.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// LoadFile reads and validates a config file against the settings the checks declare.
func LoadFile(path string, settings []check.Setting) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(path, data, settings)
}

// Find returns the config file for a run from the working directory: .akscheck.yaml there or
// in a parent folder up to the repository's root (the folder holding .git), so that a run
// from a subfolder keeps the repository's config; "" when there is none. Outside a
// repository only the working directory is looked at.
func Find() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	return FindFrom(wd)
}

// FindFrom is Find from dir.
func FindFrom(dir string) string {
	var candidates []string
	for d := dir; ; {
		candidates = append(candidates, filepath.Join(d, FileName))
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			break // the repository's root
		}
		parent := filepath.Dir(d)
		if parent == d {
			// No repository above: only the starting folder counts.
			candidates = candidates[:1]
			break
		}
		d = parent
	}
	for _, c := range candidates {
		if info, err := os.Stat(c); err == nil && !info.IsDir() {
			if rel, err := filepath.Rel(dir, c); err == nil {
				return rel
			}
			return c
		}
	}
	return ""
}

// Parse decodes and validates a config document; checks.params accepts the settings given
// (those the checks declare as params). Every problem found is returned, each with its line.
func Parse(file string, data []byte, settings []check.Setting) (*Config, error) {
	cfg := Default()
	cfg.Source = file
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Errors{{File: file, Msg: "malformed YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	if len(root.Content) == 0 || isNullNode(root.Content[0]) {
		return cfg, nil
	}
	doc := root.Content[0]
	params := map[string]check.Setting{}
	for _, s := range settings {
		if s.Param() {
			params[s.Key()] = s
		}
	}
	var errs Errors
	checkKeys(file, doc, reflect.TypeFor[Config](), "", params, &errs)
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		return nil, errs
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return nil, Errors{typeError(file, err)}
	}
	if err := decodeParams(file, &cfg.Checks, params); err != nil {
		return nil, err
	}
	recordLines(cfg, doc)
	return cfg, nil
}

// decodeParams decodes checks.params, each value as its setting declares it.
func decodeParams(file string, c *Checks, params map[string]check.Setting) error {
	n := &c.Params
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var errs Errors
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		s := params[k.Value] // checkKeys reported unknown keys
		val, err := s.Decode(v.Decode)
		if err != nil {
			e := typeError(file, err)
			if e.Line == 0 {
				e.Line, e.Msg = v.Line, "checks.params."+k.Value+": "+e.Msg
			}
			errs = append(errs, e)
			continue
		}
		c.settings[k.Value] = val
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func isNullNode(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// typeError turns a yaml.v3 decoding error ("line 4: cannot unmarshal ...") into an Error.
func typeError(file string, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return &Error{File: file, Line: line, Msg: msg}
}

// checkKeys walks a mapping against a struct type and reports unknown keys with suggestions;
// checks.params is checked against the declared settings.
func checkKeys(file string, n *yaml.Node, t reflect.Type, path string, params map[string]check.Setting, errs *Errors) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[yaml.Node]() {
		checkParamKeys(file, n, path, params, errs)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == reflect.TypeFor[Date]() {
			return
		}
		if n.Kind != yaml.MappingNode {
			if !isNullNode(n) {
				*errs = append(*errs, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("%s must be a mapping", orRoot(path))})
			}
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				msg := fmt.Sprintf("unknown key %q in %s", k.Value, orRoot(path))
				if s := suggest(k.Value, slices.Sorted(maps.Keys(fields))); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				*errs = append(*errs, &Error{File: file, Line: k.Line, Msg: msg})
				continue
			}
			checkKeys(file, v, ft, join(path, k.Value), params, errs)
		}
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for i, e := range n.Content {
				checkKeys(file, e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), params, errs)
			}
		}
	}
}

// checkParamKeys reports the keys of checks.params that no check declares.
func checkParamKeys(file string, n *yaml.Node, path string, params map[string]check.Setting, errs *Errors) {
	if n.Kind != yaml.MappingNode {
		if !isNullNode(n) {
			*errs = append(*errs, &Error{File: file, Line: n.Line, Msg: fmt.Sprintf("%s must be a mapping", path)})
		}
		return
	}
	known := make([]string, 0, len(params))
	for k := range params {
		known = append(known, k)
	}
	sort.Strings(known)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if _, ok := params[k.Value]; ok {
			continue
		}
		msg := fmt.Sprintf("unknown key %q in %s", k.Value, path)
		if s := suggest(k.Value, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		*errs = append(*errs, &Error{File: file, Line: k.Line, Msg: msg})
	}
}

func orRoot(path string) string {
	if path == "" {
		return "the config"
	}
	return path
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// yamlFields maps the YAML keys of a struct to their types, as yaml.v3 names them.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

// suggest returns the candidate closest to s when it is a near miss (edit distance of at most
// a third of its length, or a case-insensitive match).
func suggest(s string, candidates []string) string {
	best, bestDist := "", len(s)/3+1
	for _, c := range candidates {
		if strings.EqualFold(c, s) {
			return c
		}
		if d := distance(strings.ToLower(s), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// distance is the Levenshtein edit distance.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// recordLines keeps the line of each list entry, so that later errors and notices can name it.
func recordLines(cfg *Config, doc *yaml.Node) {
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, v := doc.Content[i].Value, doc.Content[i+1]
		lines := func() []int {
			var out []int
			if v.Kind == yaml.SequenceNode {
				for _, e := range v.Content {
					out = append(out, e.Line)
				}
			}
			return out
		}
		switch key {
		case "exemptions":
			for j, l := range lines() {
				if j < len(cfg.Exemptions) { // a null entry (a bare "-") decodes to none
					cfg.Exemptions[j].Line = l
				}
			}
		case "attestations":
			for j, l := range lines() {
				if j < len(cfg.Attestations) { // a null entry (a bare "-") decodes to none
					cfg.Attestations[j].Line = l
				}
			}
		case "customChecks":
			for j, l := range lines() {
				if j < len(cfg.CustomChecks) { // a null entry (a bare "-") decodes to none
					cfg.CustomChecks[j].Line = l
				}
			}
		case "checks":
			cfg.Checks.severityLines = map[string]int{}
			for k := 0; k+1 < len(v.Content); k += 2 {
				sub := v.Content[k+1]
				switch v.Content[k].Value {
				case "severity":
					for m := 0; m+1 < len(sub.Content); m += 2 {
						cfg.Checks.severityLines[sub.Content[m].Value] = sub.Content[m].Line
					}
				case "disable":
					for _, e := range sub.Content {
						cfg.Checks.disableLines = append(cfg.Checks.disableLines, e.Line)
					}
				case "enable":
					for _, e := range sub.Content {
						cfg.Checks.enableLines = append(cfg.Checks.enableLines, e.Line)
					}
				}
			}
		case "admission":
			cfg.Admission.lines = map[string]int{"": v.Line}
			for k := 0; k+1 < len(v.Content); k += 2 {
				section, sub := v.Content[k].Value, v.Content[k+1]
				cfg.Admission.lines[section] = v.Content[k].Line
				for m := 0; m+1 < len(sub.Content); m += 2 {
					cfg.Admission.lines[section+"."+sub.Content[m].Value] = sub.Content[m].Line
				}
			}
		case "vulnerabilities":
			for k := 0; k+1 < len(v.Content); k += 2 {
				if v.Content[k].Value == "ignore" {
					for j, e := range v.Content[k+1].Content {
						cfg.Vulnerabilities.Ignore[j].Line = e.Line
					}
				}
			}
		}
	}
}
