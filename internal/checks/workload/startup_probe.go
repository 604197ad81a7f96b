package workload

import (
	"context"
	"fmt"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// StartupProbe finds slow-starting containers that delay their liveness probe instead of
// using a startup probe.
var StartupProbe = check.New(check.Meta{
	ID:       "startup-probe",
	Item:     "dev.startup-probe",
	Title:    "Slow-starting containers use a startup probe",
	Severity: check.Low,
	Description: "A liveness probe with initialDelaySeconds at or above the threshold (default 30, the " +
		"startupProbeDelaySeconds parameter) and no startupProbe. A long fixed delay is both too long " +
		"(a hung container is detected late) and too short (a slow start is killed); a startup probe " +
		"holds the liveness probe back exactly until the app has started. This is a heuristic.",
	Remediation: "Add a startupProbe with failureThreshold × periodSeconds covering the worst start time, and drop the liveness initialDelaySeconds.",
	Fix:         fixProbeDoc("startup"),
	Example: `spec:
  containers:
    - name: orders
      image: contoso.azurecr.io/orders:3.0.1
      startupProbe:          # up to 30 x 10s = 5 minutes to start
        httpGet:
          path: /healthz
          port: 8080
        periodSeconds: 10
        failureThreshold: 30
      livenessProbe:         # no initialDelaySeconds needed
        httpGet:
          path: /healthz
          port: 8080`,
	Kinds:    longRunningKinds,
	Settings: []check.Setting{StartupProbeDelaySetting, FixProbesSetting},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	applied := false
	for _, c := range w.AppContainers() {
		if c.LivenessProbe == nil {
			continue
		}
		applied = true
		if c.StartupProbe == nil && c.LivenessProbe.InitialDelaySeconds >= StartupProbeDelaySetting.Get(env) {
			r.FailFixf(c.Path+".livenessProbe.initialDelaySeconds", c.Name, probeFix(c, "startup", c.Path+".startupProbe", FixProbesSetting.Get(env)),
				"container %q of %s delays its liveness probe by %ds and has no startup probe",
				c.Name, kindNoun(w), c.LivenessProbe.InitialDelaySeconds)
		}
	}
	if !applied {
		r.NotApplicable()
	}
})

// StartupProbeDelaySetting is the liveness initialDelaySeconds from which a startup probe is
// expected.
var StartupProbeDelaySetting = check.NewParam("startupProbeDelaySeconds",
	"liveness initialDelaySeconds from which a startup probe is expected", int32(30),
	func(v int32) error {
		if v < 0 {
			return fmt.Errorf("%d is negative", v)
		}
		return nil
	})
