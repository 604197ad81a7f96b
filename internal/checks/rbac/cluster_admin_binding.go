package rbac

import (
	"context"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// broadGroups are the groups every caller (or every signed-in caller) belongs to.
var broadGroups = map[string]bool{"system:anonymous": true, "system:unauthenticated": true, "system:authenticated": true}

// ClusterAdminBinding finds cluster-admin granted to everyone or to individual users.
var ClusterAdminBinding = check.New(check.Meta{
	ID:       "cluster-admin-binding",
	Item:     "cluster.k8s-rbac-aad",
	Title:    "cluster-admin is bound only to groups",
	Severity: check.High,
	Description: "A ClusterRoleBinding or RoleBinding that binds the cluster-admin ClusterRole to " +
		"system:anonymous, system:unauthenticated, system:authenticated, or to a User subject. With " +
		"Microsoft Entra integration, admin access belongs to Entra groups, so that leavers lose it and " +
		"access reviews see it.",
	Remediation: "Bind cluster-admin to an Entra group (kind: Group, the group's object ID), or use Azure RBAC for Kubernetes roles.",
	Kinds:       []string{"ClusterRoleBinding", "RoleBinding"},
}, func(_ context.Context, _ *check.Env, o *subject.Object, r *check.Result) {
	var ref rbacv1.RoleRef
	var subjects []rbacv1.Subject
	switch b := o.Typed.(type) {
	case *rbacv1.ClusterRoleBinding:
		ref, subjects = b.RoleRef, b.Subjects
	case *rbacv1.RoleBinding:
		ref, subjects = b.RoleRef, b.Subjects
	default:
		r.NotApplicable()
		return
	}
	if ref.Kind != "ClusterRole" || ref.Name != "cluster-admin" {
		return
	}
	for i, s := range subjects {
		switch {
		case broadGroups[s.Name]:
			r.Failf("subjects["+itoa(i)+"]", "", "%s %s grants cluster-admin to %s", o.Kind, o.Name(), s.Name)
		case s.Kind == rbacv1.UserKind:
			r.Failf("subjects["+itoa(i)+"]", "", "%s %s grants cluster-admin to user %s, not to a group", o.Kind, o.Name(), s.Name)
		}
	}
})
