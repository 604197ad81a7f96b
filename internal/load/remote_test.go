package load

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// A directory walk that meets a kustomization naming a URL sends no request unless
// AllowRemote (--allow-remote) is set.
func TestWalkDoesNotFetchRemoteKustomizeResources(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		_, _ = w.Write([]byte(cm("fetched")))
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	k := write(t, dir, "deploy/kustomization.yaml", "resources:\n- "+srv.URL+"/cm.yaml\n")

	s := Load(t.Context(), []string{dir}, Options{})
	if requests.Load() != 0 {
		t.Fatalf("%d request(s) sent", requests.Load())
	}
	if len(s.Objects) != 0 || len(s.Errors) != 1 || s.Errors[0].Source != k || s.Errors[0].Line != 2 {
		t.Fatalf("objects = %d, errors = %+v", len(s.Objects), s.Errors)
	}

	s = Load(t.Context(), []string{filepath.Join(dir, "deploy")}, Options{AllowRemote: true})
	if len(s.Errors) != 0 || len(s.Objects) != 1 || requests.Load() == 0 {
		t.Fatalf("with AllowRemote: objects = %d, errors = %+v, requests = %d", len(s.Objects), s.Errors, requests.Load())
	}
}
