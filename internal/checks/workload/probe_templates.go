package workload

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// The probe checks (liveness-probe, readiness-probe, startup-probe) share one setting: the
// probes akscheck fix writes. A probe is the app's own knowledge (its health path, how long it
// takes to start), so there is no built-in template: without one the checks offer no fix.

// probeKinds are the keys of FixProbesSetting: the probe each check adds.
var probeKinds = []string{"liveness", "readiness", "startup"}

// FixProbesSetting gives the probe templates akscheck fix writes, by kind of probe.
var FixProbesSetting = check.NewParam("fixProbes",
	"probe templates akscheck fix adds to containers without one, by kind (liveness, readiness, startup: {httpGet: {path: /healthz, port: http}}); "+
		"a template's port must be one the container declares; none by default",
	map[string]map[string]any{}, validateProbeTemplates)

// fixProbeDoc is Meta.Fix of a probe check.
func fixProbeDoc(kind string) string {
	return "adds the " + kind + " probe template of the fixProbes setting to the container, when the container declares the template's port (by name or number); no fix without a template"
}

func validateProbeTemplates(t map[string]map[string]any) error {
	for kind, tmpl := range t {
		if !slices.Contains(probeKinds, kind) {
			return fmt.Errorf("%s: want %s", kind, strings.Join(probeKinds, ", "))
		}
		if _, err := decodeProbe(tmpl); err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
	}
	return nil
}

// decodeProbe reads a template as a Probe (strict: an unknown field is a typo) and requires one
// handler.
func decodeProbe(tmpl map[string]any) (*corev1.Probe, error) {
	data, err := json.Marshal(tmpl)
	if err != nil {
		return nil, fmt.Errorf("not a probe: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var p corev1.Probe
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("not a probe: %w", err)
	}
	handlers := 0
	for _, set := range []bool{p.HTTPGet != nil, p.TCPSocket != nil, p.GRPC != nil, p.Exec != nil} {
		if set {
			handlers++
		}
	}
	if handlers != 1 {
		return nil, fmt.Errorf("want exactly one of httpGet, tcpSocket, grpc or exec, not %d", handlers)
	}
	return &p, nil
}

// probeFix adds the template of kind at path; nil without a template, or when the template
// probes a port the container does not declare (it would fail, and the kubelet would restart
// a healthy container or keep it out of its Service).
func probeFix(c subject.Container, kind, path string, templates map[string]map[string]any) *check.Fix {
	tmpl, ok := templates[kind]
	if !ok {
		return nil
	}
	p, err := decodeProbe(tmpl)
	if err != nil {
		return nil
	}
	var port *intstr.IntOrString
	switch {
	case p.HTTPGet != nil:
		port = &p.HTTPGet.Port
	case p.TCPSocket != nil:
		port = &p.TCPSocket.Port
	case p.GRPC != nil:
		port = &intstr.IntOrString{IntVal: p.GRPC.Port}
	}
	if port != nil && !declaresPort(c.Container, *port) {
		return nil
	}
	// The value as JSON decodes it (numbers as float64 become int64 where whole), the form
	// of check.Edit values.
	data, err := json.Marshal(tmpl)
	if err != nil {
		return nil
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	return &check.Fix{Edits: []check.Edit{{Op: check.EditSet, Path: path, Value: jsonNumbers(v)}},
		Note: "a template: check its path and timings against the app"}
}

// jsonNumbers turns the json.Numbers of v into int64 or float64.
func jsonNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = jsonNumbers(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

func declaresPort(c *corev1.Container, port intstr.IntOrString) bool {
	for _, p := range c.Ports {
		if port.Type == intstr.String && p.Name == port.StrVal || port.Type == intstr.Int && p.ContainerPort == port.IntVal {
			return true
		}
	}
	return false
}
