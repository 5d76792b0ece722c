#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ on the stable toolchain.
#
#   scripts/fuzz.sh [TARGET|all] [SECONDS]      (defaults: all, 600)
#   scripts/fuzz.sh corpus                      (only (re)build the seeds)
#
# cargo-fuzz passes -Z flags to rustc, so the build runs with
# RUSTC_BOOTSTRAP=1 (no nightly needed; see docs/decisions.md, "Fuzzing").
# Installs the pinned cargo-fuzz with `cargo install --locked` if missing,
# writes seed inputs from the repository into fuzz/corpus/<target>
# (gitignored; libFuzzer adds what it finds there), and runs the targets one
# after the other, one process each (no -jobs/-workers). Crash, timeout and
# OOM inputs land in fuzz/artifacts/<target>/.
#
# Environment: FUZZ_SANITIZER (address | none; default address),
# FUZZ_RSS_MB (default 2048), FUZZ_TIMEOUT (seconds per input, default 10).
# Exit 0: every target ran clean; 1: a target found a crash, a timeout or an
# OOM (or did not build); 2: usage.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
fuzz="$root/fuzz"
CARGO_FUZZ_VERSION=0.13.2
targets=(template_parse template_exec values_yaml chart_yaml archive_loader strvals manifest_head)

target=${1:-all}
seconds=${2:-600}
sanitizer=${FUZZ_SANITIZER:-address}
rss=${FUZZ_RSS_MB:-2048}
timeout=${FUZZ_TIMEOUT:-10}

# Copies $1 to $2 unless it is larger than 64 KiB (big seeds slow libFuzzer).
seed() {
  local size
  size=$(stat -c %s "$1" 2>/dev/null || echo 0)
  if [ "$size" -gt 0 ] && [ "$size" -le 65536 ]; then cp "$1" "$2"; fi
}

build_corpus() {
  local c="$fuzz/corpus" f i d
  mkdir -p "$c"/{template_parse,template_exec,values_yaml,chart_yaml,archive_loader,strvals,manifest_head}
  # Templates: the charts, the conformance cases, one funcs case per line.
  i=0
  while IFS= read -r -d '' f; do
    i=$((i + 1))
    for t in template_parse template_exec; do seed "$f" "$c/$t/repo-$i.tpl"; done
  done < <(find "$root/charts" "$root/xtask/tests/conformance" "$root/xtask/tests/pkglint" \
    -path '*/templates/*' -type f -print0 | sort -z)
  i=0
  while IFS= read -r line; do
    case "$line" in '#'* | '') continue ;; esac
    i=$((i + 1))
    printf '%s' "${line#!}" >"$c/template_exec/funcs-$i.tpl"
    cp "$c/template_exec/funcs-$i.tpl" "$c/template_parse/funcs-$i.tpl"
  done <"$root/xtask/tests/fixtures/chart_funcs/cases.txt"
  # Values: the charts' and the fixtures' values files.
  i=0
  while IFS= read -r -d '' f; do
    i=$((i + 1))
    seed "$f" "$c/values_yaml/repo-$i.yaml"
  done < <(find "$root/charts" "$root/xtask/tests/fixtures/yaml" "$root/xtask/tests/conformance" \
    -name '*values*.yaml' -type f -print0 | sort -z)
  # Chart metadata: every Chart.yaml, Chart.lock and requirements.yaml.
  i=0
  while IFS= read -r -d '' f; do
    i=$((i + 1))
    seed "$f" "$c/chart_yaml/repo-$i.yaml"
  done < <(find "$root/charts" "$root/xtask/tests" \
    \( -name Chart.yaml -o -name Chart.lock -o -name 'requirements.*' \) -type f -print0 | sort -z)
  # Archives: byte 0 even = a .tgz as is; odd = a tar stream the harness
  # gzips (so the fuzzer mutates the tar, not the deflate stream).
  i=0
  while IFS= read -r -d '' f; do
    i=$((i + 1))
    { printf '\0'; cat "$f"; } >"$c/archive_loader/tgz-$i"
  done < <(find "$root/xtask/tests" -name '*.tgz' -size -64k -type f -print0 | sort -z)
  for d in "$root/charts/hello-fastapi" "$root/xtask/tests/conformance/chart-object/chart"; do
    [ -d "$d" ] || continue
    i=$((i + 1))
    { printf '\1'; tar -C "$(dirname "$d")" --sort=name --owner=0 --group=0 --numeric-owner \
      --mtime=@0 -cf - "$(basename "$d")"; } >"$c/archive_loader/tar-$i"
  done
  # Rendered manifests: every document of the recorded Helm outputs.
  i=0
  while IFS= read -r -d '' f; do
    python3 - "$f" "$c/manifest_head" "$i" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
for j, doc in enumerate(re.split(r"(?m)^---[ \t]*", text)):
    if doc.strip() and "{{" not in doc and len(doc) <= 65536:
        open(f"{sys.argv[2]}/doc-{sys.argv[3]}-{j}.yaml", "w", encoding="utf-8").write(doc.lstrip())
PY
    i=$((i + 1))
  done < <(grep -rlZ --include='*.txt' '^kind: ' "$root/xtask/tests" | sort -z)
  # --set values: the yaml fixtures' flags, plus a few shapes by hand.
  i=0
  while IFS= read -r -d '' f; do
    while IFS= read -r line; do
      case "$line" in --*) continue ;; esac
      i=$((i + 1))
      printf '%s' "$line" >"$c/strvals/args-$i"
    done <"$f"
  done < <(find "$root/xtask/tests/fixtures/yaml" -name args -type f -print0 | sort -z)
  printf '%s' 'a=b,c.d[0]=1,e\.f=g' >"$c/strvals/hand-1"
  printf '%s' 'list[2].x={1,2},name=' >"$c/strvals/hand-2"
  printf '%s' 'j={"a":[1,{"b":null}]}' >"$c/strvals/hand-3"
  for t in "${targets[@]}"; do
    echo "fuzz: seeds $t: $(find "$c/$t" -type f | wc -l)"
  done
}

ensure_cargo_fuzz() {
  if cargo fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION\$"; then return 0; fi
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
}

run_target() {
  local t=$1 dict=()
  case "$t" in
    # Templates can make a map hold itself (`set $d "k" $d`, as in Go): an
    # Rc cycle that is freed at exit, which LeakSanitizer would report.
    template_exec) dict=(-dict="$fuzz/dict/template.dict" -detect_leaks=0) ;;
    template_parse) dict=(-dict="$fuzz/dict/template.dict") ;;
    values_yaml | chart_yaml | manifest_head) dict=(-dict="$fuzz/dict/yaml.dict") ;;
  esac
  echo "fuzz: $t for ${seconds}s (sanitizer $sanitizer)"
  (cd "$fuzz" && RUSTC_BOOTSTRAP=1 cargo fuzz run -O -a -s "$sanitizer" "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb="$rss" -timeout="$timeout" \
    -print_final_stats=1 "${dict[@]}")
}

case "$target" in
  corpus) build_corpus; exit 0 ;;
  all) run=("${targets[@]}") ;;
  *)
    if [[ " ${targets[*]} " != *" $target "* ]]; then
      echo "usage: scripts/fuzz.sh [all|corpus|$(IFS='|'; echo "${targets[*]}")] [seconds]" >&2
      exit 2
    fi
    run=("$target")
    ;;
esac

ensure_cargo_fuzz || exit 1
build_corpus
failed=()
for t in "${run[@]}"; do
  if ! run_target "$t"; then failed+=("$t"); fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: all clean (${run[*]}, ${seconds}s each)"
