#!/bin/bash
# GUI responsiveness on the demo atlas (64/256/1024 components; built by ./scripts/run.sh on first
# start): time from selecting a component to its first frame (scales 64 and 1024), the background
# reload of a new scale, frame times while rotating with both hemispheres, and the longest time the
# GUI thread was blocked (a 5 ms heartbeat) — under Xvfb (software OpenGL: a real GPU is faster).
#   bench/gui_responsiveness.sh [BUILD_DIR=build/release] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
RUNS=${2:-3}
echo "# gui_responsiveness: $(nproc) cores, $(date -u +%F); command: $0 $*"
for r in $(seq "$RUNS"); do
  echo "## run $r"
  xvfb-run -a -s "-screen 0 1920x1080x24 -noreset" "$BUILD/bin/nm_gui_tests" "[.guibench]" 2>/dev/null | grep -E "^(selection|scale|rotation|mosaic|longest)"
done
