#!/usr/bin/env bash
# Benchmarks `cargo xtask chart package` / `chart lint` against Helm v4.3.1's
# `helm package` / `helm lint` on the project charts and, when present, a large
# public chart (target/corpus/kube-prometheus-stack/chart, built by the
# template helper's corpus step; pass other charts as arguments).
#
# Uses hyperfine when installed, else a timed loop (median of N runs).
# Reports median wall time per command, the ratio helm/ours, and peak RSS
# (from /usr/bin/time when available).
#
# Usage: bash scripts/bench-pkglint.sh [CHART_DIR...]   (RUNS=N to change runs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
helm="$root/target/tools/bin/helm"
[[ -x "$helm" ]] || { echo "error: $helm missing (bash scripts/test-deps.sh)" >&2; exit 3; }
cargo build --release -p xtask >/dev/null 2>&1 || cargo build --release -p xtask
ours="$root/target/release/xtask"
runs="${RUNS:-15}"
charts=("$@")
if [[ ${#charts[@]} -eq 0 ]]; then
  for c in charts/*/; do [[ -f "$c/Chart.yaml" ]] && charts+=("${c%/}"); done
  [[ -d target/corpus/kube-prometheus-stack/chart ]] && charts+=(target/corpus/kube-prometheus-stack/chart)
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
export SOURCE_DATE_EPOCH=1700000000

median_ms() { # command... ; prints the median wall time in ms over $runs runs
  local times=() s e
  for ((i = 0; i < runs; i++)); do
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    e=$(date +%s%N)
    times+=($(((e - s) / 1000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.2f", m/1000}'
}

peak_kb() { # command... ; prints max RSS in KiB, or "n/a"
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1
  else
    echo n/a
  fi
}

printf '%-45s %-8s %10s %10s %8s %10s %10s\n' chart op "helm ms" "ours ms" ratio "helm KiB" "ours KiB"
for c in "${charts[@]}"; do
  name="$(basename "$(dirname "$c")")/$(basename "$c")"
  for op in package lint; do
    if [[ $op == package ]]; then
      h=("$helm" package "$c" -d "$out/h")
      o=("$ours" chart package "$c" -d "$out/o")
    else
      h=("$helm" lint "$c")
      o=("$ours" chart lint --no-extra "$c")
    fi
    if command -v hyperfine >/dev/null; then
      hyperfine -N -w 2 -r "$runs" --export-json "$out/hf.json" -i "${h[*]}" "${o[*]}" >/dev/null
      hm=$(python3 -c "import json;r=json.load(open('$out/hf.json'))['results'];print('%.2f'%(r[0]['median']*1000))")
      om=$(python3 -c "import json;r=json.load(open('$out/hf.json'))['results'];print('%.2f'%(r[1]['median']*1000))")
    else
      hm=$(median_ms "${h[@]}")
      om=$(median_ms "${o[@]}")
    fi
    ratio=$(awk -v a="$hm" -v b="$om" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }')
    printf '%-45s %-8s %10s %10s %8s %10s %10s\n' "$name" "$op" "$hm" "$om" "$ratio" "$(peak_kb "${h[@]}")" "$(peak_kb "${o[@]}")"
  done
done
