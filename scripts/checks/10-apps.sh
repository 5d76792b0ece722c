#!/usr/bin/env bash
# App tests: pytest with FastAPI's TestClient for lab/apps/hello-fastapi and
# lab/apps/asky-service; the asky-service readiness against a real PostgreSQL
# (initdb + pg_ctl in a temp dir on a free loopback port), the gateway's
# routing and readiness aggregation against real services under uvicorn, and
# the hello app under real uvicorn (GET / -> exactly {"message":"Hello World!"}).
#
# Needs target/tools/venv (scripts/test-deps.sh). Exit 0 ok, 1 a test failed,
# 3 a prerequisite is missing.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
py="$root/target/tools/venv/bin/python"
if [ ! -x "$py" ]; then
  echo "10-apps: missing $py (run: bash scripts/test-deps.sh)" >&2
  exit 3
fi
export ASKY_REQUIRE_TOOLS="${ASKY_REQUIRE_TOOLS:-1}"
export PATH="$root/target/tools/bin:$root/target/tools/venv/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1

declare -a summary=()
failed=0
for app in hello-fastapi asky-service; do
  dir="$root/lab/apps/$app"
  echo "10-apps: pytest $app"
  # Each app is its own rootdir (both have a module named main).
  (cd "$dir" && "$py" -m pytest -p no:cacheprovider -q -W ignore::DeprecationWarning tests)
  rc=$?
  if [ $rc -eq 0 ]; then
    summary+=("  ok      $app")
  else
    summary+=("  FAILED  $app (pytest exit $rc)")
    failed=$((failed + 1))
  fi
done

# The Dockerfiles pass hadolint (no ignored rules).
if out=$("$root/target/tools/venv/bin/hadolint" "$root"/lab/apps/*/Dockerfile 2>&1); then
  summary+=("  ok      hadolint lab/apps/*/Dockerfile")
else
  echo "$out" >&2
  summary+=("  FAILED  hadolint lab/apps/*/Dockerfile")
  failed=$((failed + 1))
fi

# The images ship the versions the tests ran with: every pin of an app's
# requirements.txt must be the version installed in the test venv.
if out=$("$py" - "$root"/lab/apps/*/requirements.txt <<'PY' 2>&1
import re, sys
from importlib.metadata import PackageNotFoundError, version
bad = []
for path in sys.argv[1:]:
    for n, line in enumerate(open(path), 1):
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^ \\]+)", line)
        if not m:
            continue
        name, want = m.groups()
        try:
            have = version(name)
        except PackageNotFoundError:
            have = None
        if have != want:
            bad.append(f"{path}:{n}: {name}=={want}, test venv has {have}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
); then
  summary+=("  ok      app requirements pinned to the tested versions")
else
  echo "$out" >&2
  summary+=("  FAILED  app requirements differ from the test venv")
  failed=$((failed + 1))
fi

echo "10-apps summary:"
printf '%s\n' "${summary[@]}"
total=${#summary[@]}
echo "10-apps: $((total - failed)) passed, $failed failed"
[ $failed -eq 0 ]
