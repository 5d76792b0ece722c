{{- define "greet" -}}
hello {{ .name }}
{{- end -}}
{{- define "ctx" -}}
{{ .Release.Name }}/{{ .Values.name }}
{{- end -}}
