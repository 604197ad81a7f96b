package rbac

import (
	"context"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

const dashboardName = "kubernetes-dashboard"

// KubernetesDashboard finds the Kubernetes dashboard and bindings that make it cluster-admin.
var KubernetesDashboard = check.New(check.Meta{
	ID:          "kubernetes-dashboard",
	CrossObject: true,
	Item:        "cluster.no-dashboard",
	Title:       "The Kubernetes dashboard is not deployed",
	Severity:    check.High,
	Description: "A Deployment or Service named kubernetes-dashboard (or running the kubernetesui/dashboard " +
		"image), and any ClusterRoleBinding that grants cluster-admin to the dashboard's ServiceAccount. " +
		"The dashboard has been the way into many breached clusters; the Azure portal shows the same " +
		"resources with Entra sign-in.",
	Remediation: "Remove the dashboard and use the Kubernetes resources view of the Azure portal; at least never bind it to cluster-admin.",
	Kinds:       []string{"Deployment", "Service", "ClusterRoleBinding"},
}, func(_ context.Context, env *check.Env, o *subject.Object, r *check.Result) {
	switch o.Kind {
	case "ClusterRoleBinding":
		b, ok := o.Body().(*rbacv1.ClusterRoleBinding)
		if !ok {
			r.NotApplicable()
			return
		}
		if b.RoleRef.Name != "cluster-admin" {
			return
		}
		for i, s := range b.Subjects {
			if s.Kind == rbacv1.ServiceAccountKind && s.Name == dashboardName {
				r.Failf("subjects["+itoa(i)+"]", "", "ClusterRoleBinding %s makes the Kubernetes dashboard cluster-admin", o.Name())
			}
		}
	case "Service":
		if o.Name() == dashboardName {
			r.Failf("metadata.name", "", "Service %s exposes the Kubernetes dashboard", o.Name())
		}
	case "Deployment":
		w := env.Index.WorkloadOf(o)
		if o.Name() == dashboardName {
			r.Failf("metadata.name", "", "Deployment %s runs the Kubernetes dashboard", o.Name())
			return
		}
		if w == nil {
			return
		}
		// The parsed images first: the containers of a packed body are decoded only for one
		// that runs the dashboard.
		for i, ref := range w.Images() {
			if strings.Contains(ref.Repository, "kubernetesui/dashboard") {
				c := w.Containers()[i]
				r.Failf(c.Path+".image", c.Name, "Deployment %s runs the Kubernetes dashboard image %s", o.Name(), c.Image)
			}
		}
	}
})
