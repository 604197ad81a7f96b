package check

import (
	"context"
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// TestStatusReaders: only the custom checks of objects read an add-on's status, of their
// kinds, or of every kind when they name none; the built-in checks and the custom checks of
// other subjects read none.
func TestStatusReaders(t *testing.T) {
	t.Parallel()
	object := func(m Meta) *Check {
		return New(m, func(context.Context, *Env, *subject.Object, *Result) {})
	}
	declared := &Declared{Source: "akscheck.yaml", Line: 3}
	builtin := object(Meta{ID: "builtin", Kinds: []string{"Application"}})
	ofApps := object(Meta{ID: "apps", Kinds: []string{"Application", "Kustomization"}, Declared: declared})
	ofAll := object(Meta{ID: "all", Declared: declared})
	ofClusters := New(Meta{ID: "clusters", Declared: declared}, func(context.Context, *Env, *subject.Cluster, *Result) {})

	if StatusReaders([]*Check{builtin, ofClusters}) != nil {
		t.Error("a built-in check or a custom check of clusters reads an add-on's status")
	}
	keep := StatusReaders([]*Check{builtin, ofApps, ofClusters})
	if keep == nil || !keep("Application") || !keep("Kustomization") || keep("CiliumNetworkPolicy") {
		t.Error("a custom check's kinds are not the kinds whose status is read, or more are")
	}
	if keep := StatusReaders([]*Check{ofApps, ofAll}); keep == nil || !keep("CiliumNetworkPolicy") {
		t.Error("a custom check of every kind does not read every kind's status")
	}
}
