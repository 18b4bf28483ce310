#!/bin/bash
# Generative network models on the C. elegans connectome (277 neurons, 1918 edges): 10,000
# model evaluations (generation + energy) of the matching rule over an (η, γ) grid with
# `neuromosaic-cli gnm fit`, on all cores, against a straightforward NumPy implementation of
# BCT's generative_model + evaluate_generative_model (bench/gnm_peer.py, timed on a few
# evaluations and extrapolated). Also prints the fits of the spatial and matching rules on the
# worm and the human 66-region network.
#   bench/gnm.sh [BUILD_DIR=build/release] [DATA=../shared/data] [RUNS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
DATA=${2:-../shared/data}
RUNS=${3:-3}
CLI=$BUILD/bin/neuromosaic-cli
W=$DATA/connectomes/celegans277
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "# gnm: $(nproc) cores, $(date -u +%F); command: $0 $*"
times=()
for run in $(seq "$RUNS"); do
  # 100 × 100 grid of (η, γ) × 1 repetition = 10,000 networks.
  "$CLI" gnm fit "$W/celegans277matrix.csv" --coords "$W/celegans277positions.csv" --rules matching \
      --eta -3,0,100 --gamma -0.5,1.5,100 --repetitions 1 --seed $run --progress none -o "$TMP/g.json" >/dev/null
  times+=("$(/usr/bin/python3 -c "import json; print(json.load(open('$TMP/g.json'))['seconds'])")")
done
median=$(printf "%s\n" "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
per=$(/usr/bin/python3 -c "print($median / 10000)")
peer=$(/usr/bin/python3 bench/gnm_peer.py "$W/celegans277matrix.csv" "$W/celegans277positions.csv" 3 -1.0 0.5)
/usr/bin/python3 -c "
m, p = $median, $peer
print(f'10,000 evaluations (matching rule, worm): median {m:.1f} s of runs {\"$(echo ${times[@]})\"} -> {m / 1e4 * 1e3:.2f} ms each (all cores)')
print(f'NumPy reference: {p * 1e3:.0f} ms per evaluation (one core) -> {p * 1e4:.0f} s for 10,000; ratio {p * 1e4 / m:.0f}x')"
echo "# fits (grid η × γ 17 × 17, 3 repetitions):"
"$CLI" gnm fit "$W/celegans277matrix.csv" --coords "$W/celegans277positions.csv" --rules sptl,neighbors,matching,clu-avg,deg-avg --progress none
"$CLI" gnm fit "$DATA/connectomes/tvb/connectivity_66.zip" --rules sptl,neighbors,matching,clu-avg,deg-avg --progress none
