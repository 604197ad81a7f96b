package arm

import (
	"testing"

	"github.com/akscheck/akscheck/internal/subject"
)

// TestAppMonitoring: azureMonitorProfile.appMonitoring.autoInstrumentation.enabled as az aks
// show (aks-preview) prints it, as a template (under properties) writes it, and absent (the
// stable API versions do not carry it).
func TestAppMonitoring(t *testing.T) {
	t.Parallel()
	const id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"
	for name, tc := range map[string]struct {
		doc   string
		state subject.State
		on    bool
		path  string
	}{
		"az on": {`{"id": "` + id + `", "name": "aks", "type": "Microsoft.ContainerService/ManagedClusters",
			"azureMonitorProfile": {"appMonitoring": {"autoInstrumentation": {"enabled": true}}}}`,
			subject.Known, true, "azureMonitorProfile.appMonitoring.autoInstrumentation.enabled"},
		"rest off": {`{"id": "` + id + `", "name": "aks", "type": "Microsoft.ContainerService/managedClusters",
			"properties": {"azureMonitorProfile": {"metrics": {"enabled": true}, "appMonitoring": {"autoInstrumentation": {"enabled": false}}}}}`,
			subject.Known, false, "properties.azureMonitorProfile.appMonitoring.autoInstrumentation.enabled"},
		"absent": {`{"id": "` + id + `", "name": "aks", "type": "Microsoft.ContainerService/managedClusters",
			"properties": {"azureMonitorProfile": {"metrics": {"enabled": true}}}}`, subject.Absent, false, ""},
	} {
		s := LoadBytes(name+".json", []byte(tc.doc), Options{})
		var c *subject.Cluster
		for _, o := range s.Others {
			if x, ok := o.(*subject.Cluster); ok {
				c = x
			}
		}
		if c == nil {
			t.Fatalf("%s: no cluster in %+v", name, s)
		}
		got := c.AppMonitoringAutoInstrumentation
		if got.State != tc.state || got.V != tc.on || (tc.path != "" && got.Loc.Path != tc.path) {
			t.Errorf("%s: %+v, want state %d, %v at %s", name, got, tc.state, tc.on, tc.path)
		}
	}
}
