package subject

import (
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
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

// TestPackedWorkload: a packed workload keeps its pod labels and parsed images, decodes its
// template on each read while it is closed, and once for all reads while it is open.
func TestPackedWorkload(t *testing.T) {
	t.Parallel()
	two := int32(2)
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec: appsv1.DeploymentSpec{Replicas: &two, Template: corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web"}},
			Spec: corev1.PodSpec{
				InitContainers: []corev1.Container{{Name: "migrate", Image: "ghcr.io/shop/migrate:3"}},
				Containers:     []corev1.Container{{Name: "web", Image: "ghcr.io/shop/web:1.4"}},
			},
		}},
	}
	o := &Object{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Typed: d, Meta: &d.ObjectMeta}
	if !o.Pack() {
		t.Fatal("a Deployment does not pack")
	}
	ix := NewIndex([]*Object{o})
	w := ix.WorkloadOf(o)
	if w == nil {
		t.Fatal("no workload view of a packed Deployment")
	}
	if w.Replicas != 2 || !w.HasReplicas || w.TemplatePath != "spec.template" || w.PodLabels()["app"] != "web" {
		t.Errorf("view %+v, pod labels %v", w, w.PodLabels())
	}
	if got := w.AppImages(); len(got) != 1 || got[0].Repository != "shop/web" || len(w.Images()) != 2 || w.Images()[0].Tag != "3" {
		t.Errorf("images %+v, app images %+v", w.Images(), got)
	}
	if first := w.Template(); first == w.Template() {
		t.Error("a closed packed workload keeps its template")
	}
	if c := w.AppContainers(); len(c) != 1 || c[0].Name != "web" || c[0].Path != "spec.template.spec.containers[0]" || c[0].ImageRef.Tag != "1.4" {
		t.Errorf("app containers %+v", c)
	}
	w.Open()
	w.Open() // a second core judging it with other checks
	a := w.Template()
	if w.Template() != a || &w.Containers()[0].Container.Name != &a.Spec.InitContainers[0].Name || !sameBody(w.Object) {
		t.Error("an open workload decodes its body more than once")
	}
	w.Close()
	if w.Template() != a {
		t.Error("the first of two Closes let the template go")
	}
	w.Close()
	if w.Template() == a || sameBody(w.Object) {
		t.Error("a closed workload keeps its decoded body")
	}

	// Not packed: the view is made once, and Open and Close change nothing.
	plain := NewWorkload(&Object{APIVersion: "apps/v1", Kind: "Deployment", Typed: d.DeepCopy(), Meta: &d.ObjectMeta})
	first := plain.Template()
	plain.Open()
	plain.Close()
	if plain.Template() != first {
		t.Error("the view of a workload not packed is made again")
	}
}

// sameBody reports whether two reads of o's body give one value.
func sameBody(o *Object) bool {
	first := o.Body()
	return first == o.Body()
}

// TestSecretsRead: the Secrets a workload's pods read, from every place a pod spec names
// one, once each, packed or not.
func TestSecretsRead(t *testing.T) {
	t.Parallel()
	ref := func(name string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: "k"}}
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec: corev1.PodSpec{
			Volumes: []corev1.Volume{
				{Name: "tls", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "tls"}}},
				{Name: "all", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "projected"}}}}}}},
				{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}},
			},
			InitContainers: []corev1.Container{{Name: "migrate", Image: "m:1", Env: []corev1.EnvVar{{Name: "DB", ValueFrom: ref("db")}}}},
			Containers: []corev1.Container{{Name: "web", Image: "w:1",
				EnvFrom: []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "env"}}}},
				Env:     []corev1.EnvVar{{Name: "DB", ValueFrom: ref("db")}, {Name: "PLAIN", Value: "x"}}}},
			EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "d:1",
				Env: []corev1.EnvVar{{Name: "T", ValueFrom: ref("debug-token")}}}}},
		},
	}
	want := []string{"db", "debug-token", "env", "projected", "tls"}
	o := &Object{APIVersion: "v1", Kind: "Pod", Namespace: "shop", Typed: pod, Meta: &pod.ObjectMeta}
	if got := NewWorkload(o).SecretsRead(); !slices.Equal(got, want) {
		t.Errorf("SecretsRead = %v, want %v", got, want)
	}
	if !o.Pack() {
		t.Fatal("a Pod does not pack")
	}
	if got := NewWorkload(o).SecretsRead(); !slices.Equal(got, want) {
		t.Errorf("packed: SecretsRead = %v, want %v", got, want)
	}
}
