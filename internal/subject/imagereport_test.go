package subject

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The join of a live scan's workloads to the image reports read with --azure: a Deployment the
// live API listed runs one image by tag and one by digest; Defender for Cloud's report of the
// first (which names the image by digest and tags) and a Trivy report of the second join to
// it as file reports do, and the index knows a findings-only source is in the scan.
func TestImageReportJoinLive(t *testing.T) {
	t.Parallel()
	const digest = "sha256:4b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{
			{Name: "web", Image: "shopacr.azurecr.io/shop/web:1.4.2"},
			{Name: "api", Image: "shopacr.azurecr.io/shop/api@" + digest},
		}}}}}
	o := obj("Deployment", d)
	o.APIVersion, o.Input = "apps/v1", InputCluster
	defender := &ImageReport{File: "/subscriptions/s/.../assessments/c609cf0f-71ab-41e9-a3c6-9a1f7fe1b8d5", Scanner: ScannerDefender, FindingsOnly: true,
		IsImage: true, Artifact: "shopacr.azurecr.io/shop/web@" + digest,
		Images: []ImageRef{ParseImage("shopacr.azurecr.io/shop/web@" + digest), ParseImage("shopacr.azurecr.io/shop/web:1.4.2")}}
	trivy := &ImageReport{File: "api.json", Scanner: "trivy", IsImage: true, Artifact: "shopacr.azurecr.io/shop/api@" + digest,
		Images: []ImageRef{ParseImage("shopacr.azurecr.io/shop/api@" + digest)}}
	ix := NewIndex([]*Object{o}, defender, trivy)
	for r, container := range map[*ImageReport]string{defender: "web", trivy: "api"} {
		uses := ix.ImageUsers(r)
		if len(uses) != 1 || uses[0].Container != container || uses[0].Workload.Name() != "web" {
			t.Errorf("%s report: users %+v, want container %s of Deployment shop/web", r.SourceName(), uses, container)
		}
	}
	if !ix.FindingsOnlyReports() || NewIndex([]*Object{o}, trivy).FindingsOnlyReports() {
		t.Error("FindingsOnlyReports does not follow the Defender report")
	}
	if defender.SourceName() != "Defender for Cloud" || trivy.SourceName() != "Trivy" || (&ImageReport{Scanner: "grype"}).SourceName() != "Grype" {
		t.Error("source names")
	}
}
