#!/usr/bin/env bash
# Every test: installs what is missing, then lints, type-checks, builds and
# tests every project (unit and integration suites start real processes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh --test
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export NX_DAEMON=false NX_TUI=false FORCE_COLOR=0 NO_COLOR=1
# Generated proto types must match the protos.
bash libs/api/proto/gen-types.sh
git diff --quiet -- libs/api/proto/src/generated 2>/dev/null || { echo "generated proto types are stale: run libs/api/proto/gen-types.sh and commit" >&2; exit 1; }
set +e
npx nx run-many -t lint typecheck build test --outputStyle=static --skipNxCache=${SKIP_NX_CACHE:-false} 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# Sum Vitest's per-project "Tests  N passed | M failed" lines (no match is 0, not an error).
count() { { grep -E '^\s*Tests\s+' "$log" || true; } | { grep -oE "[0-9]+ $1" || true; } | awk '{s+=$1} END {print s+0}'; }
passed=$(count passed)
failed=$(count failed)
echo
echo "tests: ${passed} passed, ${failed} failed"
exit "$rc"
