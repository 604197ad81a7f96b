// Package check defines what a check is: its metadata, the subjects it takes, and the findings
// it reports. Checks live in internal/checks; the engine runs them.
package check

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/akscheck/akscheck/internal/catalog"
	"github.com/akscheck/akscheck/internal/subject"
)

// Object annotations that exempt an object from checks (the engine honours them unless
// --strict; the check pages document them).
const (
	ExemptAnnotation       = "akscheck.io/exempt"
	ExemptReasonAnnotation = "akscheck.io/exempt-reason"
)

// Meta describes a check. It is the single source of its docs, SARIF rule and defaults.
type Meta struct {
	// ID is stable and kebab-case; users disable and exempt by it.
	ID string
	// Aliases are former IDs of checks this one replaced: configs (checks.disable,
	// checks.severity, exemptions) and exemption annotations that name them apply to it.
	Aliases []string
	// Item is the catalog item the check proves.
	Item string
	// Title says what holds when the check passes.
	Title string
	// Severity is the default severity of its findings.
	Severity Severity
	// Description says what the check looks at and why it matters.
	Description string
	// Remediation says how to fix a finding; it ends with a period.
	Remediation string
	// Example is an optional snippet of fixed configuration (YAML, HCL, Dockerfile) for the
	// check's docs page and SARIF help.
	Example string
	// Kinds are the object kinds it applies to. Empty means every kind its subject type carries.
	Kinds []string
	// Requires are the object kinds the check reads besides its subjects (through the
	// index: the HPAs of a workload, the ServiceAccount its pods run as). When a live scan
	// could not list one of them, or one of Kinds, the check's item cannot pass.
	Requires []string
	// CrossObject is set on a check that reads other subjects of the scan besides the one it
	// judges (through Env.Index: the policies that select a workload, the node pools of a
	// cluster). The others judge each subject alone: the engine gives them no index, so a
	// check that reads one without saying so fails its fixtures instead of passing; the
	// streaming engine of docs/performance.md can run them as each object is decoded. A
	// check with Requires is one.
	CrossObject bool
	// Evidence are the input kinds that can feed it. Empty means manifest and cluster
	// (Kubernetes objects from files or the live API).
	Evidence []catalog.Evidence
	// DisabledByDefault checks run only when a config enables them.
	DisabledByDefault bool
	// Dated is set on a check whose verdict on a subject depends on the time of the scan
	// (Env.Now: support windows, report ages, expiry): an incremental evaluation runs it
	// on every subject, since an unchanged subject may have a new verdict (a test compares
	// each check's findings on the examples at two dates).
	Dated bool
	// Settings are the settings the check reads (key, type, default, doc): the config
	// accepts them under checks.params, and the docs list them with the check.
	Settings []Setting
	// Fix says what the check's fix changes ("sets allowPrivilegeEscalation: false on each
	// container"); "" when the check offers none. A check with a Fix attaches a *Fix to the
	// findings it can mend (Result.FailFixf); `akscheck checks` and the docs list it.
	Fix string
	// Admission is the check as a CEL validation of one object, for the
	// ValidatingAdmissionPolicies of akscheck admission-policy; nil when the check cannot be
	// written so with the same verdict (it reads other objects, or parses what CEL cannot).
	Admission *AdmissionCEL
	// Declared is set on a check the configuration declares (a custom check): where, and
	// what to tell when nothing in a scan is of the kinds it judges. Nil for built-in checks,
	// which routinely find nothing to judge.
	Declared *Declared
}

// Declared is where a check of the configuration is written.
type Declared struct {
	Source string
	Line   int
	// Unmatched is the notice given when no subject of a scan matches the check.
	Unmatched string
}

// AdmissionCEL is a check written as a ValidatingAdmissionPolicy validation. Its expressions
// see what a policy's validations see (object, request, namespaceObject) and these variables,
// which the policy computes once for every workload kind:
//
//	variables.podTemplate        the pod template (the Pod itself for a Pod): metadata and spec
//	variables.podSpec            the pod spec
//	variables.containers         the init containers, the app containers, then the ephemeral containers
//	variables.resourceContainers the init and app containers, which take resources (ephemeral ones cannot)
//	variables.appContainers      the app containers
//	variables.targetsWindows     the pods target Windows nodes (spec.os, the node selector or affinity, or hostProcess)
//	variables.subject            the object as messages name it: "Deployment web"
//
// and one variable per setting of the check (variables.<setting key>), holding the value the
// config gives it when the policy is generated.
type AdmissionCEL struct {
	// Expression is true when the object passes.
	Expression string
	// Message is a CEL expression of type string: what is wrong, as the check's findings say
	// it, for objects that fail.
	Message string
	// Kinds are the kinds the policy matches; empty means the check's Kinds, or every
	// workload kind when those are empty too.
	Kinds []string
}

// EvidenceKinds returns Evidence with its default applied.
func (m Meta) EvidenceKinds() []catalog.Evidence {
	if len(m.Evidence) == 0 {
		return []catalog.Evidence{catalog.Manifest, catalog.Cluster}
	}
	return m.Evidence
}

// AppliesToKind reports whether the check looks at objects of kind.
func (m Meta) AppliesToKind(kind string) bool {
	if len(m.Kinds) == 0 {
		return true
	}
	for _, k := range m.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// ObjectRef names the object a finding is about.
type ObjectRef struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
}

// Related names another object a finding concerns (the workloads that run a vulnerable image,
// say).
type Related struct {
	Kind      string
	Namespace string
	Name      string
	Container string
}

// Finding is one failed check on one subject (or one container of it).
type Finding struct {
	Check       string
	Item        string
	Severity    Severity
	Message     string
	Remediation string
	Object      ObjectRef
	Container   string
	Location    subject.Location
	Related     []Related
	// Fix is the mechanical remedy of the finding, when the check offers one.
	Fix *Fix
	// SuppressedBy says why the finding does not count (set by the engine for exemptions).
	SuppressedBy string
}

// Env is what a check may consult besides its subject.
type Env struct {
	// Settings are the values of the checks' settings in this scan (read them with the
	// declaring setting's Get); a key not set means its default.
	Settings Settings
	// Index holds the other subjects of the scan; nil for a check that is not CrossObject.
	Index *subject.Index
	// Now is the time of the scan, for checks that depend on dates (support windows, report
	// ages, expiry).
	Now time.Time
}

// Result collects what a check decided about one subject.
type Result struct {
	subject       subject.Identity
	meta          *Meta
	findings      []Finding
	notApplicable bool
	undecided     []string
	err           error
}

// NewResult starts the result of a check on a subject.
func NewResult(m *Meta, s subject.Subject) *Result { return &Result{meta: m, subject: s.Identity()} }

// NewResultOf starts the result of a check on a subject whose identity is known.
func NewResultOf(m *Meta, id subject.Identity) *Result { return &Result{meta: m, subject: id} }

// Reset starts r afresh as the result of a check on another subject, keeping the storage of
// its findings and missing evidence: the engine judges one subject at a time and copies what
// it keeps before the next (a result per judgement was 40% of what the checks allocated).
func (r *Result) Reset(m *Meta, id subject.Identity) {
	*r = Result{meta: m, subject: id, findings: r.findings[:0], undecided: r.undecided[:0]}
}

// Failf records a finding at a field path of the subject, for a container ("" for the
// whole subject), at the check's severity.
func (r *Result) Failf(path, container, format string, args ...any) {
	loc := r.subject.Source
	loc.Path = path
	r.FailAt(r.meta.Severity, loc, container, format, args...)
}

// FailAt records a finding with its own severity and location (a Terraform attribute's line,
// say). An empty loc.File takes the subject's file and line.
func (r *Result) FailAt(sev Severity, loc subject.Location, container, format string, args ...any) {
	r.Add(Finding{Severity: sev, Location: loc, Container: container, Message: fmt.Sprintf(format, args...)})
}

// FailLoc records a finding at its own location (a Terraform attribute's line, say), at the
// check's severity.
func (r *Result) FailLoc(loc subject.Location, container, format string, args ...any) {
	r.FailAt(r.meta.Severity, loc, container, format, args...)
}

// Severity returns the check's default severity, for findings recorded with Add.
func (r *Result) Severity() Severity { return r.meta.Severity }

// Add records a finding built by the check; the check, item, remediation and object are
// filled in, and an empty location takes the subject's.
func (r *Result) Add(f Finding) {
	id := r.subject
	f.Check, f.Item, f.Remediation = r.meta.ID, r.meta.Item, r.meta.Remediation
	if f.Location.OnObject() {
		// A setting observed on a Kubernetes object (a node pool's zones on its Nodes): the
		// finding names that object, at the setting's path.
		if f.Object == (ObjectRef{}) {
			f.Object = ObjectRef{APIVersion: "v1", Kind: f.Location.Kind, Name: f.Location.Name}
		}
		f.Location = subject.Location{Path: f.Location.Path}
	}
	if f.Object == (ObjectRef{}) {
		f.Object = ObjectRef{APIVersion: id.APIVersion, Kind: id.Kind, Namespace: id.Namespace, Name: id.Name}
	}
	if f.Location.File == "" {
		path := f.Location.Path
		f.Location = id.Source
		f.Location.Path = path
	}
	if f.Fix != nil {
		fix := *f.Fix
		fix.Input = id.Input
		f.Fix = &fix
	}
	r.findings = append(r.findings, f)
}

// Error says the check could not decide on this subject; the engine reports the error and
// the item is not evaluated, never passed.
func (r *Result) Error(err error) { r.err = err }

// Err returns the error the check reported, if any.
func (r *Result) Err() error { return r.err }

// NotApplicable says the check does not apply to this subject (it neither passes nor fails).
func (r *Result) NotApplicable() { r.notApplicable = true }

// Undecided says the check applies to this subject but cannot decide it: a value it needs
// is unknown (a template expression, a Terraform value known only after apply, a setting a
// running cluster does not show) or missing from the input (an az key, a resource the input
// does not hold). missing names that evidence and the input that would carry it, in words an
// operator acts on: "the maintenance configurations of cluster prod (az aks
// maintenanceconfiguration list output, or the template's maintenanceConfigurations)". The
// item cannot pass on it: it is not evaluated, with missing in its reason, unless a finding
// fails it. A check may record findings and be undecided on the same subject (one pool
// judged, another unknown). A value whose default applies when it is not written is known,
// not missing: it is judged.
func (r *Result) Undecided(missing string) { r.undecided = append(r.undecided, missing) }

// Missing returns what Undecided recorded: the evidence the check lacked on this subject.
func (r *Result) Missing() []string { return r.undecided }

// Findings returns the findings recorded.
func (r *Result) Findings() []Finding { return r.findings }

// Applied reports whether the check applied to the subject: an undecided check did, even
// when it also called NotApplicable (for the parts it could not judge).
func (r *Result) Applied() bool { return !r.notApplicable || len(r.undecided) > 0 }

// Check is a check: its metadata and its logic.
type Check struct {
	Meta
	subjectType reflect.Type
	run         func(ctx context.Context, env *Env, s subject.Subject, r *Result)
}

// New builds a check from its metadata and a function of the subject type it inspects
// (*subject.Workload, *subject.Object, ...). The engine feeds it every subject of that type.
func New[S subject.Subject](m Meta, fn func(ctx context.Context, env *Env, s S, r *Result)) *Check {
	return &Check{
		Meta:        m,
		subjectType: subject.TypeOf[S](),
		run:         func(ctx context.Context, env *Env, s subject.Subject, r *Result) { fn(ctx, env, s.(S), r) },
	}
}

// NewOf builds a check of the objects whose typed form is T (a *corev1.Service, say): an
// object of another kind, or one the loader could not type, is not applicable.
func NewOf[T any](m Meta, fn func(ctx context.Context, env *Env, o *subject.Object, t T, r *Result)) *Check {
	return New(m, func(ctx context.Context, env *Env, o *subject.Object, r *Result) {
		t, ok := o.Body().(T)
		if !ok {
			r.NotApplicable()
			return
		}
		fn(ctx, env, o, t, r)
	})
}

// SubjectType returns the type of subject the check takes.
func (c *Check) SubjectType() reflect.Type { return c.subjectType }

// Run applies the check to one subject of its SubjectType.
func (c *Check) Run(ctx context.Context, env *Env, s subject.Subject, r *Result) {
	c.run(ctx, env, s, r)
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Validate reports what is wrong with a check's metadata against the catalog.
func (m Meta) Validate(cat *catalog.Catalog) error {
	var problems []string
	if !idPattern.MatchString(m.ID) {
		problems = append(problems, "ID is not kebab-case")
	}
	if _, ok := cat.Item(m.Item); !ok {
		problems = append(problems, fmt.Sprintf("item %q is not in the catalog", m.Item))
	}
	if m.Title == "" {
		problems = append(problems, "no title")
	}
	if m.Description == "" {
		problems = append(problems, "no description")
	}
	if !strings.HasSuffix(m.Remediation, ".") {
		problems = append(problems, "remediation does not end with a period")
	}
	if len(m.Requires) > 0 && !m.CrossObject {
		problems = append(problems, "Requires other kinds but is not CrossObject")
	}
	if m.CrossObject && m.Admission != nil {
		problems = append(problems, "a CrossObject check has an Admission CEL, which sees one object")
	}
	if len(problems) > 0 {
		return fmt.Errorf("check %s: %s", m.ID, strings.Join(problems, "; "))
	}
	return nil
}

// StatusReaders returns the kinds whose whole status the checks may read: nil when none
// does. What a controller reports in an object's status is often more than its spec: an
// add-on's custom resource (an Argo CD Application lists the resources it manages, a Flux
// Kustomization its inventory, a Cilium policy its state on every node) and the conditions,
// a Node's volumes and images of the built-in kinds. The built-in checks read none of an
// add-on's status, and of a built-in kind's only what subject.DropUnreadStatus keeps
// (checktest.SameWithoutStatus holds their fixtures to it). A custom check of objects reads
// the whole object of its kinds (every kind when it names none).
func StatusReaders(checks []*Check) func(kind string) bool {
	objects := subject.TypeOf[*subject.Object]()
	var kinds map[string]bool
	for _, c := range checks {
		if c.Declared == nil || c.SubjectType() != objects {
			continue
		}
		if len(c.Kinds) == 0 {
			return func(string) bool { return true }
		}
		if kinds == nil {
			kinds = map[string]bool{}
		}
		for _, k := range c.Kinds {
			kinds[k] = true
		}
	}
	if kinds == nil {
		return nil
	}
	return func(kind string) bool { return kinds[kind] }
}
