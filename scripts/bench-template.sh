#!/usr/bin/env bash
# Benchmark `cargo xtask chart template` (release build) against
# `helm template` (Helm v4.3.1) by whole-process median wall time and peak
# memory, on the project's charts and on large public charts built by
# scripts/corpus-diff.sh under target/corpus (run it first for those).
#
#   scripts/bench-template.sh [RUNS]
#
# Uses hyperfine when installed (median wall time from its JSON export);
# otherwise (and always for peak memory) times each run itself from fork to
# wait4, after one warm-up run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-15}
helm=${HELM:-$root/target/tools/bin/helm}
xtask=$root/target/release/xtask
[ -x "$helm" ] || { echo "bench-template: helm not found at $helm (run scripts/test-deps.sh)" >&2; exit 3; }
(cd "$root" && cargo build --release -p xtask >&2)
export KUBECONFIG=/dev/null HELM_CONFIG_HOME=$root/target/bench/helm HELM_CACHE_HOME=$root/target/bench/helm HELM_DATA_HOME=$root/target/bench/helm

charts=()
for c in "$root"/charts/*/ "$root"/target/corpus/kube-prometheus-stack/chart/ "$root"/target/corpus/argo-rollouts/chart/ "$root"/target/corpus/prometheus/chart/ "$root"/target/corpus/bitnami-redis/chart/; do
  [ -f "$c/Chart.yaml" ] && charts+=("${c%/}")
done

# median wall seconds and median peak KiB of a command over $runs runs
# (after one warm-up), timed around fork/exec/wait4 (rusage of that child).
measure() {
  python3 - "$runs" "$@" <<'PY'
import os, statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
walls, peaks = [], []
for i in range(runs + 1):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, ru = os.wait4(p.pid, 0)
    t1 = time.perf_counter()
    p.returncode = 0
    if i == 0:
        continue
    walls.append(t1 - t0)
    peaks.append(ru.ru_maxrss)
print(f"{statistics.median(walls):.5f} {int(statistics.median(peaks))}")
PY
}

printf '%-28s %12s %12s %8s %12s %12s\n' chart helm-median native-median speedup helm-peak native-peak
for c in "${charts[@]}"; do
  name=$(basename "$(dirname "$c")")
  [ "$name" = charts ] && name=$(basename "$c")
  [ "$name" = corpus ] && name=$(basename "$c")
  if command -v hyperfine >/dev/null; then
    hyperfine -N -w 2 -r "$runs" --export-json "$root/target/bench/$name.json" \
      "$helm template $c" "$xtask chart template $c" >/dev/null 2>&1
    read -r hw nw < <(python3 -c "import json,sys; r=json.load(open('$root/target/bench/$name.json'))['results']; print(r[0]['median'], r[1]['median'])")
    hm=$(measure "$helm" template "$c" | cut -d' ' -f2); nm=$(measure "$xtask" chart template "$c" | cut -d' ' -f2)
  else
    read -r hw hm < <(measure "$helm" template "$c")
    read -r nw nm < <(measure "$xtask" chart template "$c")
  fi
  speed=$(python3 -c "print(f'{$hw/max($nw,1e-4):.1f}x')")
  printf '%-28s %11.1fms %11.1fms %8s %10sKiB %10sKiB\n' "$name" "$(python3 -c "print($hw*1000)")" "$(python3 -c "print($nw*1000)")" "$speed" "$hm" "$nm"
done
