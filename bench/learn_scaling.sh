#!/bin/bash
# Scaling of `neuromosaic-cli learn` with the number of components: for each k, one learning run
# (one epoch, no network/surfaces) with wall time, peak memory (from /usr/bin/time), the learner's
# achieved GFLOP/s, and a dense float GEMM roofline of the same shape measured in the same run
# (nm_bench_somf on the same preprocessed data). Defaults: the large preset, 24 subjects.
#   bench/learn_scaling.sh [BUILD_DIR=build/release] [COHORT=<cache>/bench/large] [SUBJECTS=24] [KS="64 256 1024 4096"]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
COHORT=${2:-${XDG_CACHE_HOME:-$HOME/.cache}/neuromosaic/bench/large}
SUBJECTS=${3:-24}
KS=${4:-"64 128 256 512 1024 2048 4096"}
CLI=$BUILD/bin/neuromosaic-cli
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "# learn_scaling: cohort $COHORT, $SUBJECTS subjects, k = $KS, $(nproc) cores, $(date -u +%F)"
echo "# command: $0 $*"
[ -d "$COHORT/sub-001" ] || "$CLI" simulate --preset large --out "$COHORT" --subjects "$SUBJECTS" --progress none
LIST=$(ls -d "$COHORT"/sub-* | head -n "$SUBJECTS" | sed 's#.*/sub-##' | paste -sd, -)
CACHE=${NM_BENCH_CACHE:-$WORK/cache}
"$CLI" learn "$COHORT" --subjects "$LIST" --cache "$CACHE" --dump-data "$WORK/data" --progress none >/dev/null
rm -f "$WORK/data/held_out.npy"
printf "%6s %9s %9s %9s %10s %9s %9s %8s %8s\n" k wall_s learn_s init_s peak_MiB GFLOP/s GEMM_GF/s fraction EV
for k in $KS; do
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$CLI" learn "$COHORT" --subjects "$LIST" --scales "$k" --epochs 1 --no-network \
      --no-surfaces --cache "$CACHE" --progress json --out "$WORK/k$k.nmatlas.h5" | tail -1 > "$WORK/out.json"
  roof=$("$BUILD/bin/nm_bench_somf" "$WORK/data/train.npy" "$k" 2 128 4 | /usr/bin/python3 -c "import json,sys; print(json.loads(sys.stdin.read())['gemm_gflops'])")
  /usr/bin/python3 - "$k" "$WORK/time" "$WORK/out.json" "$roof" <<'PY'
import json, sys
k, (wall, rss), o, roof = sys.argv[1], open(sys.argv[2]).read().split(), json.load(open(sys.argv[3]))['outputs'], float(sys.argv[4])
s = o['scales'][0]
print(f"{k:>6} {float(wall):9.1f} {o['learn_seconds']:9.1f} {o['init_seconds']:9.1f} {int(rss) / 1024:10.0f} {s['gflops']:9.1f} {roof:9.1f} {s['gflops'] / roof:8.2f} {s['held_out_explained_variance']:8.4f}")
PY
done
