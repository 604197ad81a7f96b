{{/* Names, labels and the checks of the values that the templates share. */}}

{{- define "akscheck.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release name when it holds the chart's name ("akscheck"), else <release>-akscheck. */}}
{{- define "akscheck.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "akscheck.webhookName" -}}
{{- printf "%s-webhook" (include "akscheck.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "akscheck.auditName" -}}
{{- printf "%s-audit" (include "akscheck.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "akscheck.labels" -}}
app.kubernetes.io/name: {{ include "akscheck.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "akscheck.selectorLabels" -}}
app.kubernetes.io/name: {{ include "akscheck.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "akscheck.webhookSelectorLabels" -}}
{{ include "akscheck.selectorLabels" . }}
app.kubernetes.io/component: webhook
{{- end }}

{{- define "akscheck.auditSelectorLabels" -}}
{{ include "akscheck.selectorLabels" . }}
app.kubernetes.io/component: audit
{{- end }}

{{- define "akscheck.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* The TLS Secret the webhook mounts. */}}
{{- define "akscheck.tlsSecret" -}}
{{- if .Values.certManager.enabled }}
{{- printf "%s-tls" (include "akscheck.webhookName" .) }}
{{- else }}
{{- .Values.tls.existingSecret }}
{{- end }}
{{- end }}

{{/* The server's budget per review: webhook.reviewTimeout, else timeoutSeconds - 2 s (at least 1 s). */}}
{{- define "akscheck.reviewTimeout" -}}
{{- if .Values.webhook.reviewTimeout }}
{{- .Values.webhook.reviewTimeout }}
{{- else }}
{{- printf "%ds" (max 1 (sub (int .Values.webhook.timeoutSeconds) 2)) }}
{{- end }}
{{- end }}

{{/* The namespaces the webhook never reviews: the configured ones, the release's own, and
     cert-manager's when the webhook fails closed and waits on cert-manager for its certificate. */}}
{{- define "akscheck.excludedNamespaces" -}}
{{- $ns := concat (.Values.webhook.excludedNamespaces | default list) (list .Release.Namespace) }}
{{- if and .Values.certManager.enabled (eq .Values.webhook.failurePolicy "Fail") }}
{{- $ns = append $ns .Values.certManager.namespace }}
{{- end }}
{{- toJson (uniq $ns) }}
{{- end }}

{{/* Values that would render a broken webhook fail the render, with what to set. */}}
{{- define "akscheck.validate" -}}
{{- if .Values.webhook.enabled }}
{{- if not (has .Values.webhook.failurePolicy (list "Ignore" "Fail")) }}
{{- fail (printf "webhook.failurePolicy must be Ignore or Fail, not %q" .Values.webhook.failurePolicy) }}
{{- end }}
{{- $t := int .Values.webhook.timeoutSeconds }}
{{- if or (lt $t 1) (gt $t 30) }}
{{- fail (printf "webhook.timeoutSeconds must be between 1 and 30, not %v" .Values.webhook.timeoutSeconds) }}
{{- end }}
{{- if and (not .Values.certManager.enabled) (or (not .Values.tls.existingSecret) (not .Values.tls.caBundle)) }}
{{- fail "without certManager.enabled, set tls.existingSecret (a kubernetes.io/tls Secret for the webhook's Service) and tls.caBundle (the base64 PEM of its CA)" }}
{{- end }}
{{- end }}
{{- if .Values.audit.enabled }}
{{- if and .Values.audit.database.existingSecret (not .Values.audit.database.key) }}
{{- fail "audit.database.existingSecret needs audit.database.key: the Secret's key that holds the PostgreSQL URL" }}
{{- end }}
{{- if and .Values.audit.azure.enabled (not .Values.audit.azure.workloadIdentity.clientID) }}
{{- fail "audit.azure.enabled reads Azure as a workload identity: set audit.azure.workloadIdentity.clientID (the client ID of the managed identity federated with the audit's ServiceAccount, docs/audit.md)" }}
{{- end }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.audit.enabled) }}
{{- fail "metrics.serviceMonitor.enabled scrapes the audit's /metrics: set audit.enabled too" }}
{{- end }}
{{- end }}
