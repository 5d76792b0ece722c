#!/usr/bin/env bash
# Live differential run of `cargo xtask chart template` against `helm template`
# (Helm v4.3.1) on the public charts listed in the dev corpus TSV.
#
#   scripts/corpus-diff.sh [corpus.tsv] [chart-name...]
#
# Charts are built under target/corpus/<chart>/chart from git mirrors
# (CORPUS_MIRRORS, default /work/.mirror, laid out as <owner>+<repo>/repo,
# bare or not; a missing mirror is cloned from GitHub into target/corpus/mirrors).
# Dependency rows are extracted, run through `helm package` and placed in the
# chart's charts/ directory. Each chart is rendered twice by helm and once by
# the native renderer; lines that differ between the two helm runs (random
# passwords, certificates, timestamps) are masked, everything else must match.
# Third-party charts are never committed (target/ is ignored).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tsv=${1:-$root/../shared/reference/corpus-dev.tsv}
[ $# -gt 0 ] && shift
only=("$@")
mirrors=${CORPUS_MIRRORS:-/work/.mirror}
out=$root/target/corpus
helm=${HELM:-$root/target/tools/bin/helm}
xtask=${XTASK:-$root/target/release/xtask}
[ -x "$helm" ] || { echo "corpus-diff: helm not found at $helm (run scripts/test-deps.sh)" >&2; exit 3; }
if [ ! -x "$xtask" ]; then
  (cd "$root" && cargo build --release -p xtask >&2)
fi
mkdir -p "$out"
export KUBECONFIG=$out/kubeconfig HELM_CONFIG_HOME=$out/helm/config HELM_CACHE_HOME=$out/helm/cache HELM_DATA_HOME=$out/helm/data

gitdir() { # owner/repo -> git dir
  local slug=${1/\//+}
  for d in "$mirrors/$slug/repo" "$mirrors/$slug" "$out/mirrors/$slug"; do
    if git --git-dir="$d" rev-parse --git-dir >/dev/null 2>&1; then echo "$d"; return; fi
    if [ -d "$d/.git" ]; then echo "$d/.git"; return; fi
  done
  git clone --quiet --bare "https://github.com/$1" "$out/mirrors/$slug" >&2
  echo "$out/mirrors/$slug"
}

extract() { # owner/repo commit path dest
  local g; g=$(gitdir "$1")
  rm -rf "$4" && mkdir -p "$4"
  git --git-dir="$g" archive "$2" "$3" | tar -x -C "$4" --strip-components="$(awk -F/ '{print NF}' <<<"$3")"
}

declare -A built=()
while IFS=$'\t' read -r chart dest repo commit path version; do
  [[ -z "$chart" || "$chart" == \#* ]] && continue
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $chart "* ]]; then continue; fi
  dir=$out/$chart/chart
  if [ "$dest" = "." ]; then
    extract "$repo" "$commit" "$path" "$dir"
    rm -rf "$dir/charts"/*.tgz 2>/dev/null || true
    built[$chart]=1
  else
    tmp=$out/$chart/deps/$(basename "$dest")
    extract "$repo" "$commit" "$path" "$tmp"
    mkdir -p "$dir/charts"
    rm -rf "${dir:?}/$dest"
    "$helm" package "$tmp" -d "$dir/charts" >/dev/null
  fi
done < "$tsv"

pass=0; fail=0; failed=()
for chart in $(printf '%s\n' "${!built[@]}" | sort); do
  dir=$out/$chart
  "$helm" template "$dir/chart" >"$dir/helm1.txt" 2>"$dir/helm1.err" || true
  "$helm" template "$dir/chart" >"$dir/helm2.txt" 2>"$dir/helm2.err" || true
  start=$(date +%s%N)
  "$xtask" chart template "$dir/chart" >"$dir/native.txt" 2>"$dir/native.err" || true
  end=$(date +%s%N)
  if python3 - "$dir" <<'PY'
import sys, difflib
d = sys.argv[1]
h1 = open(f"{d}/helm1.txt").read().split("\n")
h2 = open(f"{d}/helm2.txt").read().split("\n")
n = open(f"{d}/native.txt").read().split("\n")
mask = set()
if len(h1) == len(h2):
    mask = {i for i, (a, b) in enumerate(zip(h1, h2)) if a != b}
ok = len(h1) == len(n) and all(i in mask or a == b for i, (a, b) in enumerate(zip(h1, n)))
if not ok:
    m1 = [("<masked>" if i in mask else l) for i, l in enumerate(h1)]
    mn = [("<masked>" if i in mask and i < len(n) else l) for i, l in enumerate(n)]
    diff = list(difflib.unified_diff(m1, mn, "helm", "native", lineterm="", n=2))
    open(f"{d}/diff.txt", "w").write("\n".join(diff) + "\n")
sys.exit(0 if ok else 1)
PY
  then
    pass=$((pass+1)); rm -f "$dir/diff.txt"
    echo "MATCH  $chart ($(( (end-start)/1000000 )) ms native, $(grep -c '^# Source:' "$dir/helm1.txt") docs)"
  else
    fail=$((fail+1)); failed+=("$chart")
    echo "DIFFER $chart (see $dir/diff.txt; native stderr: $(head -c 300 "$dir/native.err" | tr '\n' ' '))"
  fi
done
echo "corpus-diff: $pass matched, $fail differ${failed:+: ${failed[*]}}"
[ "$fail" -eq 0 ]
