{{- define "inner" -}}
{{ .Values.missing.field }}
{{- end -}}
