#!/usr/bin/env bash
# Re-records the expected outputs of the YAML/values conformance cases in
# xtask/tests/fixtures/yaml/<case>/ from a real Helm binary (the oracle).
#
# Each case directory holds a `values.yaml` and optionally `args` (one
# `helm template` argument per line, e.g. `--set` / `a.b=1`). A throwaway
# chart whose templates print `toYaml .Values`, `toJson .Values` and
# `toYamlPretty .Values` is rendered with that values file; the outputs are
# written to `toyaml.expected`, `tojson.expected`, `pretty.expected`, or
# Helm's error message to `error.expected`.
#
#   scripts/record-yaml-fixtures.sh [HELM]   (default: target/tools/bin/helm)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
helm=${1:-$root/target/tools/bin/helm}
[ -x "$helm" ] || { echo "record-yaml-fixtures: no helm at $helm (run scripts/test-deps.sh)" >&2; exit 3; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chart=$work/c
mkdir -p "$chart/templates"
printf 'apiVersion: v2\nname: c\nversion: 0.1.0\n' >"$chart/Chart.yaml"
# Each output is carried base64-encoded inside a one-line YAML document,
# so that Helm's manifest parsing never sees it and the exact bytes
# (trailing newlines, tabs, control characters) survive.
printf 'b64: {{ toYaml .Values | b64enc }}\n' >"$chart/templates/toyaml.yaml"
printf 'b64: {{ toJson .Values | b64enc }}\n' >"$chart/templates/tojson.yaml"
printf 'b64: {{ toYamlPretty .Values | b64enc }}\n' >"$chart/templates/pretty.yaml"
printf 'b64: {{ toToml .Values | b64enc }}\n' >"$chart/templates/totoml.yaml"

for dir in "$root"/xtask/tests/fixtures/yaml/*/; do
  case=$(basename "$dir")
  cp "$dir/values.yaml" "$chart/values.yaml"
  args=()
  if [ -f "$dir/args" ]; then
    while IFS= read -r line || [ -n "$line" ]; do args+=("$line"); done <"$dir/args"
  fi
  rm -f "$dir"/*.expected
  for t in toyaml tojson pretty totoml; do
    if "$helm" template c "$chart" "${args[@]}" --show-only "templates/$t.yaml" >"$work/out" 2>"$work/err"; then
      sed -n 's/^b64: //p' "$work/out" | base64 -d >"$dir/$t.expected"
    else
      grep -v '^$' "$work/err" | grep -v 'Use --debug flag' >"$dir/error.expected"
      rm -f "$dir"/toyaml.expected "$dir"/tojson.expected "$dir"/pretty.expected "$dir"/totoml.expected
      break
    fi
  done
  echo "recorded $case"
done

# Chart trees (subcharts, globals, conditions, tags, aliases, import-values):
# xtask/tests/fixtures/yaml-charts/<case>/root is a chart whose every
# (sub)chart prints `toJson .Values`; Helm's whole output is recorded.
for dir in "$root"/xtask/tests/fixtures/yaml-charts/*/; do
  case=$(basename "$dir")
  args=()
  if [ -f "$dir/args" ]; then
    while IFS= read -r line || [ -n "$line" ]; do args+=("$line"); done <"$dir/args"
  fi
  rm -f "$dir"/*.expected
  if ! "$helm" template release "$dir/root" "${args[@]}" >"$dir/output.expected" 2>"$work/err"; then
    rm -f "$dir/output.expected"
    grep -v '^$' "$work/err" | grep -v 'Use --debug flag' >"$dir/error.expected"
  fi
  echo "recorded chart case $case"
done
