#!/usr/bin/env bash
# Wall time and peak memory of the simulator presets (tiny and demo: median of RUNS; large: once,
# to OUT_DIR, which needs ~12 GB). Usage: bench/simulate.sh [BUILD_DIR] [RUNS] [LARGE_OUT_DIR|skip]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
runs=${2:-3}
large=${3:-skip}
cli="$build/bin/neuromosaic-cli"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
measure() {  # preset out → "seconds peak_kb"
  /usr/bin/time -f "%e %M" "$cli" simulate --preset "$1" --out "$2" --seed 1 --progress none 2>&1 >/dev/null | tail -1
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for preset in tiny demo; do
  times=(); mems=()
  for i in $(seq "$runs"); do
    read -r t m < <(measure "$preset" "$tmp/$preset-$i")
    times+=("$t"); mems+=("$m")
    size=$(du -sh "$tmp/$preset-$i" | cut -f1)
    rm -rf "$tmp/$preset-$i"
  done
  echo "$preset: median $(printf '%s\n' "${times[@]}" | median) s [${times[*]}], peak RSS $(( $(printf '%s\n' "${mems[@]}" | sort -g | tail -1) / 1024 )) MiB, $size on disk"
done
if [[ "$large" != skip ]]; then
  read -r t m < <(measure large "$large")
  echo "large: $t s, peak RSS $((m / 1024)) MiB, $(du -sh "$large" | cut -f1) on disk ($large)"
fi
