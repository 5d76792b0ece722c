{{/*
Chart name, truncated to 63 characters.
*/}}
{{- define "asky.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name prefix: release name plus chart name, unless the release name contains it.
Kept to 40 characters so "<fullname>-request-manager-…" names stay valid.
*/}}
{{- define "asky.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "asky.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels of everything in the release (used by the NetworkPolicies).
*/}}
{{- define "asky.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "asky.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels on every resource.
*/}}
{{- define "asky.labels" -}}
helm.sh/chart: {{ include "asky.chart" . }}
{{ include "asky.releaseSelectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: asky
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels of one component. Call with (dict "root" $ "component" "auth").
*/}}
{{- define "asky.componentSelectorLabels" -}}
{{ include "asky.releaseSelectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Labels of one component's resources. Call with (dict "root" $ "component" "auth").
*/}}
{{- define "asky.componentLabels" -}}
{{ include "asky.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Name of one component's resources: <fullname>-<component>.
*/}}
{{- define "asky.componentName" -}}
{{- printf "%s-%s" (include "asky.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "asky.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "asky.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image of a service: its own image fields, falling back to the top-level image.
Call with (dict "root" $ "svc" $svc).
*/}}
{{- define "asky.serviceImage" -}}
{{- $img := .root.Values.image }}
{{- $own := .svc.image | default dict }}
{{- $repo := $own.repository | default $img.repository }}
{{- $digest := $own.digest | default (ternary "" $img.digest (ne ($own.repository | default "") "")) }}
{{- $tag := $own.tag | default $img.tag | default .root.Chart.AppVersion }}
{{- if $digest }}
{{- printf "%s@%s" $repo $digest }}
{{- else }}
{{- printf "%s:%s" $repo $tag }}
{{- end }}
{{- end }}

{{/*
Image of PostgreSQL.
*/}}
{{- define "asky.postgresql.image" -}}
{{- $img := .Values.postgresql.image }}
{{- if $img.digest }}
{{- printf "%s@%s" $img.repository $img.digest }}
{{- else }}
{{- printf "%s:%s" $img.repository $img.tag }}
{{- end }}
{{- end }}

{{- define "asky.postgresql.fullname" -}}
{{- include "asky.componentName" (dict "root" . "component" "postgresql") }}
{{- end }}

{{/*
Secret holding the PostgreSQL passwords.
*/}}
{{- define "asky.postgresql.secretName" -}}
{{- .Values.postgresql.auth.existingSecret | default (include "asky.postgresql.fullname" .) }}
{{- end }}

{{/*
Database and role of a service: the configured names, else the service name with
"-" turned into "_". Call with (dict "name" "request-manager" "svc" $svc).
*/}}
{{- define "asky.dbName" -}}
{{- .svc.database.name | default (.name | replace "-" "_") }}
{{- end }}
{{- define "asky.dbUser" -}}
{{- .svc.database.user | default (.name | replace "-" "_") }}
{{- end }}

{{/*
The least number of pods a service runs (replicas, or the HPA minimum).
*/}}
{{- define "asky.minReplicas" -}}
{{- if .autoscaling.enabled }}
{{- .autoscaling.minReplicas }}
{{- else }}
{{- .replicas }}
{{- end }}
{{- end }}

{{/*
Routes of the gateway: every enabled service but the gateway, plus extraRoutes.
*/}}
{{- define "asky.gatewayRoutes" -}}
{{- $routes := dict }}
{{- range $name, $svc := .Values.services }}
{{- if and $svc.enabled (ne $name "gateway") }}
{{- $_ := set $routes $name (printf "http://%s:%v" (include "asky.componentName" (dict "root" $ "component" $name)) $svc.service.port) }}
{{- end }}
{{- end }}
{{- range $name, $url := .Values.gateway.extraRoutes }}
{{- $_ := set $routes $name $url }}
{{- end }}
{{- dict "routes" $routes | toPrettyJson }}
{{- end }}

{{/*
Environment and volume mounts that connect a container to a service's database.
Call with (dict "root" $ "name" "auth" "svc" $svc).
*/}}
{{- define "asky.dbEnv" -}}
- name: ASKY_DB_HOST
  value: {{ include "asky.postgresql.fullname" .root | quote }}
- name: ASKY_DB_PORT
  value: {{ .root.Values.postgresql.port | quote }}
- name: ASKY_DB_NAME
  value: {{ include "asky.dbName" . | quote }}
- name: ASKY_DB_USER
  value: {{ include "asky.dbUser" . | quote }}
- name: ASKY_DB_PASSWORD_FILE
  value: /run/secrets/asky-db/password
{{- end }}

{{- define "asky.dbVolume" -}}
- name: db-password
  secret:
    secretName: {{ include "asky.postgresql.secretName" .root }}
    defaultMode: 0440
    items:
      - key: {{ .name }}-password
        path: password
{{- end }}

{{/*
The writable /tmp of every pod.
*/}}
{{- define "asky.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}
