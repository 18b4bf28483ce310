#!/usr/bin/env bash
# Template surfaces (cold build, cached load) and the GUI's time to the first frame of the start
# view (cold and warm cache), medians of several runs under Xvfb.
# Usage: bench/startup.sh [BUILD_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
runs=${2:-3}
gui="$build/bin/neuromosaic"
cli="$build/bin/neuromosaic-cli"
[[ -x "$gui" && -x "$cli" ]] || { echo "startup.sh: build $build first (./scripts/test.sh)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_RUNTIME_DIR="$tmp/runtime"; mkdir -p -m 700 "$XDG_RUNTIME_DIR"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
first_frame() {
  xvfb-run -a -s "-screen 0 1920x1080x24" "$gui" --screenshot "$tmp/shot.png" --no-restore 2>&1 >/dev/null |
    sed -n 's/.*start view shown \([0-9.]*\) s after start.*/\1/p'
}
build_time() { "$cli" anatomy --progress json "$@" | tail -1 | sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
cold_build=(); warm_load=(); cold_gui=(); warm_gui=()
for i in $(seq "$runs"); do
  export NEUROMOSAIC_CACHE_DIR="$tmp/cache-$i"
  cold_build+=("$(build_time)")
  warm_load+=("$(build_time)")
  rm -rf "$NEUROMOSAIC_CACHE_DIR"
  cold_gui+=("$(first_frame)")
  warm_gui+=("$(first_frame)")
done
"$cli" anatomy --progress none | tail -2
echo "template surfaces, cold build:  median $(printf '%s\n' "${cold_build[@]}" | median) s  [${cold_build[*]}]"
echo "template surfaces, cached load: median $(printf '%s\n' "${warm_load[@]}" | median) s  [${warm_load[*]}]"
echo "GUI first frame, cold cache:    median $(printf '%s\n' "${cold_gui[@]}" | median) s  [${cold_gui[*]}]"
echo "GUI first frame, warm cache:    median $(printf '%s\n' "${warm_gui[@]}" | median) s  [${warm_gui[*]}]"
