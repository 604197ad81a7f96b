package resources

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestMinAvailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v        intstr.IntOrString
		replicas int32
		want     int32
	}{
		{intstr.FromInt32(2), 3, 2},
		{intstr.FromString("50%"), 3, 2}, // rounds up, as the disruption controller does
		{intstr.FromString("60%"), 2, 2}, // blocks every eviction of a 2-replica workload
		{intstr.FromString("100%"), 5, 5},
		{intstr.FromString("0%"), 5, 0},
		{intstr.FromString("bogus"), 5, 0},
	}
	for _, tt := range tests {
		if got := minAvailable(tt.v, tt.replicas); got != tt.want {
			t.Errorf("minAvailable(%s, %d) = %d, want %d", tt.v.String(), tt.replicas, got, tt.want)
		}
	}
}
