{{- define "a" }}A{{ . }}{{ end }}
{{- define "b" -}}
B-{{ template "a" "x" }}
{{- end -}}
