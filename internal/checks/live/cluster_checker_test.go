package live

import (
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestStaleRun(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *metav1.Time { x := metav1.NewTime(now.Add(-d)); return &x }
	for _, tc := range []struct {
		name          string
		created, last *metav1.Time
		maxAge        time.Duration
		want          string
	}{
		{"recent", at(90 * 24 * time.Hour), at(2 * 24 * time.Hour), 7 * 24 * time.Hour, ""},
		{"a month old, in days", at(90 * 24 * time.Hour), at(30*24*time.Hour + 5*time.Hour), 7 * 24 * time.Hour,
			"last succeeded 30d ago, on 2025-05-02 (more than 7d)"},
		{"hours", at(90 * 24 * time.Hour), at(20 * time.Hour), 12 * time.Hour, "last succeeded 20h0m0s ago, on 2025-05-31 (more than 12h0m0s)"},
		{"never, young", at(time.Hour), nil, 7 * 24 * time.Hour, ""},
		{"never, old", at(10 * 24 * time.Hour), nil, 7 * 24 * time.Hour, "has never succeeded since it was created on 2025-05-22"},
		{"never, no creation time", nil, nil, 7 * 24 * time.Hour, "has never succeeded"},
	} {
		cj := &batchv1.CronJob{Status: batchv1.CronJobStatus{LastSuccessfulTime: tc.last}}
		if tc.created != nil {
			cj.CreationTimestamp = *tc.created
		}
		if got := staleRun(cj, now, tc.maxAge); got != tc.want {
			t.Errorf("%s: staleRun = %q, want %q", tc.name, got, tc.want)
		}
	}
}
