package subject

import (
	"reflect"
	"strings"
)

// The settings of the model (String, Bool, Int, List, Tags) all embed Attr: these helpers
// walk a resource's settings by reflection, so that a setting added to Cluster or NodePool is
// covered without being named here.

var attrType = reflect.TypeFor[Attr]()

// settingsOf returns the addressable Attr of every setting field of a struct pointer (not of
// nested resources, which are pointers or slices).
func settingsOf(v any) []*Attr {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return nil
	}
	var out []*Attr
	rv = rv.Elem()
	for i := range rv.NumField() {
		f := rv.Field(i)
		if f.Kind() != reflect.Struct || !rv.Type().Field(i).IsExported() {
			continue
		}
		if a, ok := f.Type().FieldByName("Attr"); ok && a.Type == attrType && len(a.Index) == 1 {
			out = append(out, f.Field(a.Index[0]).Addr().Interface().(*Attr))
		}
	}
	return out
}

// MarkUnknown turns every absent setting of a Cluster or NodePool (a pointer to either) into
// an unknown one at loc: for a resource seen from where its settings cannot be read (the
// Kubernetes API shows no private-cluster flag), not written is not the same as not set, and
// an unknown setting never makes a check fail.
func MarkUnknown(v any, loc Location) {
	for _, a := range settingsOf(v) {
		if a.State == Absent {
			*a = Attr{State: Unknown, Loc: loc}
		}
	}
}

// FillUnknown copies into dst every setting that src knows and dst does not (absent or
// unknown), value and location: the observations of a running cluster completing what its
// Azure resource leaves out. dst and src are pointers to the same struct type.
func FillUnknown(dst, src any) {
	dv, sv := reflect.ValueOf(dst), reflect.ValueOf(src)
	if dv.Type() != sv.Type() || dv.Kind() != reflect.Pointer || dv.Elem().Kind() != reflect.Struct {
		return
	}
	dv, sv = dv.Elem(), sv.Elem()
	for i := range dv.NumField() {
		df, sf := dv.Field(i), sv.Field(i)
		if df.Kind() != reflect.Struct || !dv.Type().Field(i).IsExported() {
			continue
		}
		a, ok := df.Type().FieldByName("Attr")
		if !ok || a.Type != attrType || len(a.Index) != 1 {
			continue
		}
		if sf.Field(a.Index[0]).Interface().(Attr).State == Known && df.Field(a.Index[0]).Interface().(Attr).State != Known {
			df.Set(sf)
		}
	}
}

// Observe completes the cluster with an observation of the same cluster from another source
// (its Nodes through the Kubernetes API): what c knows stays; a setting c leaves absent or
// unknown takes the observed value and location, and so do the pools of the same name (the
// node image the nodes actually run). Pools only o has are not added: the cluster's own
// description says which pools it has.
func (c *Cluster) Observe(o *Cluster) {
	FillUnknown(c, o)
	for _, p := range c.Pools {
		for _, op := range o.Pools {
			if strings.EqualFold(p.Name, op.Name) || strings.EqualFold(lastSegment(p.Name), op.Name) {
				FillUnknown(p, op)
			}
		}
	}
}
