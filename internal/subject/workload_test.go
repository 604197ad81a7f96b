package subject

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestContainerViews(t *testing.T) {
	t.Parallel()
	yes := true
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "init", Image: "busybox:1.36"}},
			Containers:     []corev1.Container{{Name: "web", Image: "web:1"}, {Name: "proxy", Image: "proxy:2"}},
			EphemeralContainers: []corev1.EphemeralContainer{{
				EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debugger", Image: "busybox:1.36",
					SecurityContext: &corev1.SecurityContext{Privileged: &yes}},
				TargetContainerName: "web",
			}},
		},
	}
	w := NewWorkload(&Object{APIVersion: "v1", Kind: "Pod", Typed: pod, Meta: &pod.ObjectMeta})
	names := func(cs []Container) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	for _, tc := range []struct {
		view string
		got  []string
		want []string
	}{
		{"Containers", names(w.Containers()), []string{"init", "web", "proxy", "debugger"}},
		{"ResourceContainers", names(w.ResourceContainers()), []string{"init", "web", "proxy"}},
		{"AppContainers", names(w.AppContainers()), []string{"web", "proxy"}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.view, tc.got, tc.want)
		}
	}
	d := w.Containers()[3]
	if !d.Ephemeral || d.Init || d.Path != "spec.ephemeralContainers[0]" || d.SecurityContext == nil || !*d.SecurityContext.Privileged {
		t.Errorf("ephemeral container view = %+v", d)
	}
	if d.ImageRef.Repository == "" {
		t.Errorf("ephemeral container image not parsed: %+v", d.ImageRef)
	}
}

func TestHostProcessTargetsWindows(t *testing.T) {
	t.Parallel()
	yes := true
	hp := &corev1.SecurityContext{WindowsOptions: &corev1.WindowsSecurityContextOptions{HostProcess: &yes}}
	for _, tc := range []struct {
		name string
		spec corev1.PodSpec
		want bool
	}{
		{"plain pod", corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}}}, false},
		{"pod-level hostProcess", corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{WindowsOptions: hp.WindowsOptions},
			Containers:      []corev1.Container{{Name: "a"}}}, true},
		{"container-level hostProcess", corev1.PodSpec{Containers: []corev1.Container{{Name: "a", SecurityContext: hp}}}, true},
		{"init container hostProcess", corev1.PodSpec{
			InitContainers: []corev1.Container{{Name: "i", SecurityContext: hp}},
			Containers:     []corev1.Container{{Name: "a"}}}, true},
	} {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: tc.spec}
		w := NewWorkload(&Object{APIVersion: "v1", Kind: "Pod", Typed: pod, Meta: &pod.ObjectMeta})
		if got := w.HostProcess(); got != tc.want {
			t.Errorf("%s: HostProcess() = %v, want %v", tc.name, got, tc.want)
		}
		if got := w.TargetsWindows(); got != tc.want {
			t.Errorf("%s: TargetsWindows() = %v, want %v", tc.name, got, tc.want)
		}
	}
}
