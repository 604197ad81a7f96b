package workload

import (
	"context"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/akscheck/akscheck/internal/check"
	"github.com/akscheck/akscheck/internal/subject"
)

// RequiredLabels finds workloads and pod templates without the required labels.
var RequiredLabels = check.New(check.Meta{
	ID:       "required-labels",
	Item:     "ops.labels",
	Title:    "Workloads and their pods carry the required labels",
	Severity: check.Low,
	Description: "The workload's metadata.labels and its pod template's labels hold every required key " +
		"(default app.kubernetes.io/name and app.kubernetes.io/instance; --required-label or the " +
		"requiredLabels parameter). Labels are how costs, alerts, policies and owners find a workload.",
	Remediation: "Add the required labels to the workload and to its pod template.",
	Fix: "adds the missing required labels with the values the fixLabels setting gives (${name} and ${namespace} stand for the workload's); " +
		"no fix when a missing label has no value there",
	Example: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
  namespace: shop
  labels:
    app.kubernetes.io/name: cart
    app.kubernetes.io/instance: cart-prod
spec:
  template:
    metadata:
      labels:
        app.kubernetes.io/name: cart
        app.kubernetes.io/instance: cart-prod`,
	Settings: []check.Setting{RequiredLabelsSetting, FixLabelsSetting},
	// A Pod's template is the Pod itself, so its labels are checked once.
	Admission: &check.AdmissionCEL{
		Expression: "variables.requiredLabels.all(k, " + labelSetCEL("object.metadata") + ") && " +
			"(object.kind == 'Pod' || variables.requiredLabels.all(k, " + labelSetCEL("variables.podTemplate.?metadata.orValue({})") + "))",
		Message: "variables.subject + ' or its pod template lacks label(s) ' + variables.requiredLabels.filter(k, !" +
			labelSetCEL("object.metadata") + " || (object.kind != 'Pod' && !" + labelSetCEL("variables.podTemplate.?metadata.orValue({})") + ")).join(', ')",
	},
}, func(_ context.Context, env *check.Env, w *subject.Workload, r *check.Result) {
	values := FixLabelsSetting.Get(env)
	if missing := missingKeys(w.Meta.Labels, RequiredLabelsSetting.Get(env)); len(missing) > 0 {
		r.FailFixf("metadata.labels", "", labelsFix(w, "metadata.labels", missing, values), "%s lacks label(s) %s", kindNoun(w), strings.Join(missing, ", "))
	}
	if w.TemplatePath == "" {
		return // a Pod's template labels are its own labels
	}
	if missing := missingKeys(w.PodLabels(), RequiredLabelsSetting.Get(env)); len(missing) > 0 {
		r.FailFixf(w.TemplateMetaPath()+".labels", "", labelsFix(w, w.TemplateMetaPath()+".labels", missing, values), "the pod template of %s lacks label(s) %s", kindNoun(w), strings.Join(missing, ", "))
	}
})

func missingKeys(labels map[string]string, required []string) []string {
	var missing []string
	for _, k := range required {
		if v, ok := labels[k]; !ok || v == "" {
			missing = append(missing, k)
		}
	}
	return missing
}

// RequiredLabelsSetting are the label keys every workload and its pod template must carry.
var RequiredLabelsSetting = check.NewParam("requiredLabels",
	"label keys every workload and its pod template must carry",
	[]string{"app.kubernetes.io/name", "app.kubernetes.io/instance"}, nil)

// labelSetCEL is a CEL condition: the labels of metadata (a CEL expression) hold the key k
// with a non-empty value, as missingKeys requires.
func labelSetCEL(metadata string) string {
	return "(k in " + metadata + ".?labels.orValue({}) && " + metadata + ".labels[k] != '')"
}

// FixLabelsSetting gives the values akscheck fix writes for missing required labels.
var FixLabelsSetting = check.NewParam("fixLabels",
	"values akscheck fix writes for missing required labels, by key (${name} and ${namespace} stand for the workload's)",
	map[string]string{}, nil)

// labelsFix sets each missing label at labels (a field path) to its configured value; nil when
// one of them has none, since the finding would stay.
func labelsFix(w *subject.Workload, labels string, missing []string, values map[string]string) *check.Fix {
	ns := w.Namespace
	if ns == subject.ImplicitNamespaceName {
		ns = ""
	}
	for _, k := range missing {
		if values[k] == "" {
			return nil // most configurations give no values: no replacer made for nothing
		}
	}
	expand := strings.NewReplacer("${name}", w.Name(), "${namespace}", ns)
	fix := &check.Fix{}
	for _, k := range missing {
		tmpl := values[k]
		if tmpl == "" || (ns == "" && strings.Contains(tmpl, "${namespace}")) {
			return nil
		}
		// A value the API server would reject (too long, a character a label cannot hold)
		// is no fix.
		v := expand.Replace(tmpl)
		if len(validation.IsValidLabelValue(v)) > 0 {
			return nil
		}
		fix.Edits = append(fix.Edits, check.Edit{Op: check.EditSet, Path: keyPath(labels, k), Value: v})
	}
	return fix
}
