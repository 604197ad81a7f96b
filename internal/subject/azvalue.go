package subject

import "strings"

// State says whether an Azure setting is written, and whether its value is known.
type State uint8

// States of a setting.
const (
	// Absent: the resource does not set it (the service default applies).
	Absent State = iota
	// Unknown: it is set, but to something akscheck cannot resolve (a template expression
	// without a default, a Terraform variable without a value, another resource's attribute).
	// An unknown value never makes a check fail.
	Unknown
	// Known: it is set to V.
	Known
)

// Attr is what every setting carries besides its value: its state and where it is written
// (for an absent setting, the block that would hold it). Loc.Path names the setting as the
// input spells it: the az CLI key path (apiServerAccessProfile.enablePrivateCluster), the
// properties path of REST resources and templates, the azurerm attribute
// (default_node_pool.upgrade_settings.max_surge) or its path in a plan's values; for an
// absent setting, the path it would have. Checks report these locations as they are.
type Attr struct {
	State State
	Loc   Location
}

// IsKnown reports whether the value is known.
func (a Attr) IsKnown() bool { return a.State == Known }

// IsUnknown reports whether the value is set but unresolved.
func (a Attr) IsUnknown() bool { return a.State == Unknown }

// IsAbsent reports whether the setting is not written at all.
func (a Attr) IsAbsent() bool { return a.State == Absent }

// At returns the location of the setting.
func (a Attr) At() Location { return a.Loc }

// String is a string setting.
type String struct {
	Attr
	V string
}

// Is reports whether the value is known and equal, ignoring case, to one of vals (Azure enum
// values come in several casings).
func (s String) Is(vals ...string) bool {
	if s.State != Known {
		return false
	}
	for _, v := range vals {
		if strings.EqualFold(s.V, v) {
			return true
		}
	}
	return false
}

// Empty reports whether the value is known to be unset: absent, or known and blank.
func (s String) Empty() bool {
	return s.State == Absent || (s.State == Known && strings.TrimSpace(s.V) == "")
}

// Bool is a boolean setting.
type Bool struct {
	Attr
	V bool
}

// True reports whether the value is known to be true.
func (b Bool) True() bool { return b.State == Known && b.V }

// NotTrue reports whether the value is known not to be true: absent, or known false.
func (b Bool) NotTrue() bool { return b.State == Absent || (b.State == Known && !b.V) }

// Int is an integer setting.
type Int struct {
	Attr
	V int64
}

// List is a list of strings.
type List struct {
	Attr
	V []string
}

// Contains reports whether the list holds s, ignoring case.
func (l List) Contains(s string) bool {
	for _, x := range l.V {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Tags are the Azure tags of a resource: each value has its own state and location.
type Tags struct {
	Attr
	V map[string]String
}

// KnownString returns a known string setting at loc.
func KnownString(v string, loc Location) String {
	return String{Attr: Attr{State: Known, Loc: loc}, V: v}
}

// KnownBool returns a known boolean setting at loc.
func KnownBool(v bool, loc Location) Bool {
	return Bool{Attr: Attr{State: Known, Loc: loc}, V: v}
}
