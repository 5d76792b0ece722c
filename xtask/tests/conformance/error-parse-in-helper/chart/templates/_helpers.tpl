{{ define "x" }}
{{ if .a }}
{{ end }