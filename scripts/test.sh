#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite under Xvfb.
#   ./scripts/test.sh                 Release build (default)
#   ./scripts/test.sh --preset asan   Debug build with AddressSanitizer + UBSan (or: debug)
#   ./scripts/test.sh -- -R gui       extra arguments after -- go to ctest
set -euo pipefail
cd "$(dirname "$0")/.."

preset=release
ctest_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --preset) preset="$2"; shift 2 ;;
    --) shift; ctest_args=("$@"); break ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# //'; exit 0 ;;
    *) echo "test.sh: unknown option '$1' (expected --preset NAME or -- CTEST-ARGS)" >&2; exit 2 ;;
  esac
done

phase() { echo; echo "== $1 ($(date +%T))"; }
t0=$(date +%s)
phase "dependencies"
./scripts/setup-deps.sh --quiet
t1=$(date +%s)
phase "configure ($preset)"
cmake --preset "$preset" > /dev/null
phase "build"
cmake --build --preset "$preset" -j "$(nproc)"
t2=$(date +%s)
phase "tests (under xvfb-run)"
status=0
# -noreset: an X server resets when its last client leaves, and a test connecting during the
# reset fails ("bad X server connection"); between two serial tests that happens.
xvfb-run -a -s "-screen 0 1920x1080x24 -noreset" \
  ctest --preset "$preset" -j "$(nproc)" "${ctest_args[@]}" || status=$?
t3=$(date +%s)
echo
echo "test.sh: dependencies $((t1 - t0)) s, configure+build $((t2 - t1)) s, tests $((t3 - t2)) s"
exit $status
