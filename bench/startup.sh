#!/usr/bin/env bash
# Time to first frame of the GUI (cold and warm cache) and the template brain build, medians of
# several runs under Xvfb. Usage: bench/startup.sh [BUILD_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
runs=${2:-5}
bin="$build/bin/neuromosaic"
[[ -x "$bin" ]] || { echo "startup.sh: $bin not built (./scripts/test.sh or cmake --build --preset release)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
first_frame() {  # prints the seconds reported by the GUI
  xvfb-run -a -s "-screen 0 1920x1080x24" "$bin" --screenshot "$tmp/shot.png" --no-restore 2>&1 >/dev/null |
    sed -n 's/.*template brain shown \([0-9.]*\) s after start.*/\1/p'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "binary:  $bin"
cold=(); warm=()
for i in $(seq "$runs"); do
  export NEUROMOSAIC_CACHE_DIR="$tmp/cache-$i"
  cold+=("$(first_frame)")
  warm+=("$(first_frame)")
done
echo "time to first frame, cold cache (builds the template surface): median $(printf '%s\n' "${cold[@]}" | median) s  [${cold[*]}]"
echo "time to first frame, warm cache:                               median $(printf '%s\n' "${warm[@]}" | median) s  [${warm[*]}]"
