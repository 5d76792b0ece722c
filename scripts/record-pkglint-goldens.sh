#!/usr/bin/env bash
# Re-records the `chart package` golden archives and the `chart lint`
# expected outputs from real Helm.
#
# For every chart under xtask/tests/pkglint/charts/ (except the ones whose
# name starts with "bad-", which Helm refuses by design), runs
#   SOURCE_DATE_EPOCH=1700000000 helm package <chart> -d xtask/tests/pkglint/golden/package
# with the pinned Helm (target/tools/bin/helm, v4.3.1; install it with
# `bash scripts/test-deps.sh`). The test xtask/tests/pkglint_package.rs
# compares our tar stream with these archives byte for byte.
#
# Usage: bash scripts/record-pkglint-goldens.sh [HELM]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
helm="${1:-$root/target/tools/bin/helm}"
if [[ ! -x "$helm" ]]; then
  echo "error: helm not found at $helm (run: bash scripts/test-deps.sh)" >&2
  exit 3
fi
version="$("$helm" version --template '{{.Version}}')"
if [[ "$version" != "v4.3.1" ]]; then
  echo "warning: recording with helm $version, the reference is v4.3.1" >&2
fi
out="$root/xtask/tests/pkglint/golden/package"
mkdir -p "$out"
rm -f "$out"/*.tgz
for chart in "$root"/xtask/tests/pkglint/charts/*/; do
  name="$(basename "$chart")"
  [[ "$name" == bad-* ]] && continue
  SOURCE_DATE_EPOCH=1700000000 "$helm" package "$chart" -d "$out" >/dev/null
  echo "recorded $name"
done
echo "$version" > "$out/HELM_VERSION"

# Lint: `helm lint` and `helm lint --strict` on every chart under
# xtask/tests/pkglint/lint/, run from the repository root with the chart's
# relative path; exit code, stdout and stderr are recorded, with the absolute
# repository path (which Helm prints for dependency findings) as $ROOT.
lout="$root/xtask/tests/pkglint/golden/lint"
mkdir -p "$lout"
rm -f "$lout"/*.txt
cd "$root"
for chart in xtask/tests/pkglint/lint/*/; do
  chart="${chart%/}"
  name="$(basename "$chart")"
  for mode in normal strict; do
    flags=()
    [[ "$mode" == strict ]] && flags=(--strict)
    set +e
    "$helm" lint "$chart" "${flags[@]}" >"$lout/.stdout" 2>"$lout/.stderr"
    code=$?
    set -e
    {
      echo "exit: $code"
      echo "--- stdout"
      sed "s|$root|\$ROOT|g" "$lout/.stdout"
      echo "--- stderr"
      sed "s|$root|\$ROOT|g" "$lout/.stderr"
    } >"$lout/$name.$mode.txt"
  done
  echo "recorded lint $name"
done
rm -f "$lout/.stdout" "$lout/.stderr"
