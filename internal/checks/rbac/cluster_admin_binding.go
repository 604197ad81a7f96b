package rbac

import (
	"context"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// broadGroups are the groups every caller, every signed-in caller or every workload belongs
// to; system:anonymous is the user of unauthenticated requests, listed for bindings that name
// it as a group.
var broadGroups = map[string]string{
	"system:anonymous":       "every anonymous caller",
	"system:unauthenticated": "every unauthenticated caller",
	"system:authenticated":   "every signed-in caller",
	"system:serviceaccounts": "every ServiceAccount of the cluster",
}

// mastersGroup is the group of the cluster's own admin credentials (az aks get-credentials
// --admin): the platform's, bound to cluster-admin by Kubernetes itself.
const mastersGroup = "system:masters"

// ClusterAdminBinding finds cluster-admin, or a ClusterRole that grants everything, bound to
// anyone but an Entra group.
var ClusterAdminBinding = check.New(check.Meta{
	ID:          "cluster-admin-binding",
	CrossObject: true,
	Item:        "cluster.k8s-rbac-aad",
	Title:       "Admin roles are bound only to groups",
	Severity:    check.High,
	Description: "A ClusterRoleBinding or RoleBinding whose ClusterRole is cluster-admin, or any ClusterRole of the scan " +
		"that grants every verb on every resource of every API group (cluster-admin in all but name), bound to " +
		"a ServiceAccount, a User, or a group everyone is in. The checklist item asks to limit cluster access " +
		"with Kubernetes RBAC and Entra identities for users and workloads: people get admin through Entra " +
		"groups (leavers lose it, access reviews see it), and a workload is never an admin, since whoever runs " +
		"code in its pods, or steals its token, becomes one. Bound to system:anonymous, system:unauthenticated, " +
		"system:authenticated or system:serviceaccounts(:<namespace>), the finding is critical. Bindings to " +
		"other groups pass. The platform's own are left out: the system:masters group, and bindings named " +
		"system:* for system users, groups and kube-system ServiceAccounts, as Kubernetes bootstraps them. " +
		"A RoleBinding makes its subject admin of one namespace; the finding says so. It reads the " +
		"ClusterRoles of the scan, so it is not evaluated when they could not be read.",
	Remediation: "Bind admin roles to an Entra group (kind: Group, the group's object ID), or use Azure RBAC for Kubernetes roles; give each ServiceAccount a Role with the verbs and resources it needs.",
	Kinds:       []string{"ClusterRoleBinding", "RoleBinding"},
	Requires:    []string{"ClusterRole"},
}, func(_ context.Context, env *check.Env, o *subject.Object, r *check.Result) {
	var ref rbacv1.RoleRef
	var subjects []rbacv1.Subject
	switch b := o.Body().(type) {
	case *rbacv1.ClusterRoleBinding:
		ref, subjects = b.RoleRef, b.Subjects
	case *rbacv1.RoleBinding:
		ref, subjects = b.RoleRef, b.Subjects
	default:
		r.NotApplicable()
		return
	}
	how := adminGrant(env, ref)
	if how == "" {
		return
	}
	where := "across the cluster"
	if o.Kind == "RoleBinding" {
		where = "in namespace " + o.Namespace
	}
	builtIn := strings.HasPrefix(o.Name(), "system:")
	for i, s := range subjects {
		path := "subjects[" + itoa(i) + "]"
		switch {
		case s.Kind == rbacv1.GroupKind && s.Name == mastersGroup:
			continue
		case builtIn && platformIdentity(s):
			continue
		case broadGroups[s.Name] != "" || strings.HasPrefix(s.Name, "system:serviceaccounts:"):
			who := broadGroups[s.Name]
			if who == "" {
				who = "every ServiceAccount of namespace " + strings.TrimPrefix(s.Name, "system:serviceaccounts:")
			}
			r.FailAt(check.Critical, o.At(path), "", "%s %s makes %s (%s %s) %s %s", o.Kind, o.Name(), who, strings.ToLower(s.Kind), s.Name, how, where)
		case s.Kind == rbacv1.ServiceAccountKind:
			ns := s.Namespace
			if ns == "" {
				ns = o.Namespace
			}
			r.Failf(path, "", "%s %s makes ServiceAccount %s/%s %s %s: a workload identity is never an admin", o.Kind, o.Name(), ns, s.Name, how, where)
		case s.Kind == rbacv1.UserKind:
			r.Failf(path, "", "%s %s makes user %s %s %s, not through an Entra group", o.Kind, o.Name(), s.Name, how, where)
		}
	}
})

// adminGrant says how the role a binding refers to makes its subjects admin ("cluster-admin",
// "ClusterRole x, which grants every verb on every resource"), or "" when it does not.
func adminGrant(env *check.Env, ref rbacv1.RoleRef) string {
	if ref.Kind != "ClusterRole" {
		return ""
	}
	if ref.Name == "cluster-admin" {
		return "cluster-admin"
	}
	o := env.Index.Get("ClusterRole", "", ref.Name)
	if o == nil {
		return ""
	}
	role, ok := o.Body().(*rbacv1.ClusterRole)
	if !ok {
		return ""
	}
	resources, urls := false, false
	for _, rule := range role.Rules {
		if !slices.Contains(rule.Verbs, "*") {
			continue
		}
		if slices.Contains(rule.APIGroups, "*") && slices.Contains(rule.Resources, "*") {
			resources = true
		}
		if slices.Contains(rule.NonResourceURLs, "*") {
			urls = true
		}
	}
	switch {
	case resources && urls:
		return "admin through ClusterRole " + ref.Name + " (every verb on every resource and URL: cluster-admin in all but name)"
	case resources:
		return "admin through ClusterRole " + ref.Name + " (every verb on every resource: cluster-admin in all but name)"
	}
	return ""
}

// platformIdentity reports whether a subject of a system:* binding is one of the identities
// Kubernetes and AKS bootstrap: a system: user or group, or a kube-system ServiceAccount.
func platformIdentity(s rbacv1.Subject) bool {
	switch s.Kind {
	case rbacv1.ServiceAccountKind:
		return s.Namespace == "kube-system"
	case rbacv1.UserKind, rbacv1.GroupKind:
		return strings.HasPrefix(s.Name, "system:") && broadGroups[s.Name] == "" && !strings.HasPrefix(s.Name, "system:serviceaccounts")
	}
	return false
}
