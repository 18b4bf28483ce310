#!/bin/bash
# Graphical lasso vs scikit-learn (bench/README.md, issue 15) on real HCP group connectivity
# (BrainSpace, Schaefer 100/200/400 parcels, correlation matrices): alpha chosen so that ~10 % of
# the edges are kept (neuromosaic-cli network --density 0.1), then both solvers at that alpha,
# timed RUNS times each (medians); both precisions scored with the same objective
# tr(SP) - log det P + alpha * sum_{i != j} |P_ij|. Ours: tolerance 1e-4 on the duality gap;
# scikit-learn: graphical_lasso(mode='cd', tol=1e-4, max_iter=100), its defaults.
# Then the group-sparse covariance against nilearn 0.10.1's (../shared/peers) on 17 subjects' time
# series (300 samples, a shared sparse precision) at p = 64 and 256, alpha = 0.3 alpha_max: nilearn
# with tol=1e-4 (max change), ours to a relative gap of 1e-7; both scored by nilearn's
# group_sparse_scores (network_group_peer.py).
#   bench/network.sh [BUILD_DIR=build/release] [SIZES="100 200 400"] [RUNS=5] [GROUP_SIZES="64 256"]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
SIZES=${2:-100 200 400}
RUNS=${3:-5}
GROUP_SIZES=${4:-64 256}
FC=${NEUROMOSAIC_TEST_DATA:-../shared/data}/fc/brainspace_hcp_main_group
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "# HCP group connectivity (BrainSpace), $(nproc) cores, $(date -u +%F); runs=$RUNS; command: $0 $*"
echo "| parcels | alpha | edges (density) | ours s (median) | sklearn s (median) | ratio | sweeps ours / sklearn iterations | objective ours | objective sklearn | max abs diff |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do
  S="$FC/schaefer_${n}_mean_connectivity_matrix.csv"
  "$BUILD/bin/neuromosaic-cli" --progress none network --covariance "$S" --density 0.1 -o "$WORK/p.csv" --json "$WORK/sel.json" > /dev/null
  alpha=$(/usr/bin/python3 -c "import json; print(repr(json.load(open('$WORK/sel.json'))['alpha']))")
  for run in $(seq "$RUNS"); do
    "$BUILD/bin/neuromosaic-cli" --progress none network --covariance "$S" --alpha "$alpha" -o "$WORK/p.csv" --json "$WORK/ours.$run.json" > /dev/null
  done
  /usr/bin/python3 bench/network_peer.py "$S" "$alpha" "$WORK/p.csv" "$RUNS" > "$WORK/peer.json"
  /usr/bin/python3 - "$WORK" "$RUNS" "$n" "$alpha" <<'PY'
import json, statistics as st, sys
w, runs, n, alpha = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
ours = [json.load(open(f"{w}/ours.{r}.json")) for r in range(1, runs + 1)]
peer = json.load(open(f"{w}/peer.json"))
t = st.median(o["fit_seconds"] for o in ours)
print(f"| {n} | {alpha:.4f} | {ours[0]['edges']} ({ours[0]['density']:.3f}) | {t:.3f} | {peer['sklearn_seconds']:.2f} | "
      f"{peer['sklearn_seconds'] / t:.1f}x | {ours[0]['iterations']} / {peer['sklearn_iterations']} | {peer['objective_ours']:.6f} | "
      f"{peer['objective_sklearn']:.6f} | {peer['max_abs_difference']:.1e} |")
PY
  if [[ $n == 400 ]]; then cp "$WORK/p.csv" "$WORK/p400.csv"; echo "$alpha" > "$WORK/alpha400"; fi
done
if [[ -f $WORK/p400.csv ]]; then
  echo
  echo "Modules vs the Schaefer 7 networks (400 parcels, alpha $(cat "$WORK/alpha400")):"
  echo "| graph | edges | modules | Q | ARI | NMI |"
  echo "|---|---|---|---|---|---|"
  /usr/bin/python3 bench/network_modules.py "$FC/schaefer_400_mean_connectivity_matrix.csv" "$WORK/p400.csv"
fi

echo
echo "Group-sparse covariance vs nilearn (17 subjects x 300 samples, alpha = 0.3 alpha_max):"
echo "| p | edges | ours s (median) | nilearn s | ratio | sweeps ours / nilearn | objective ours | objective nilearn |"
echo "|---|---|---|---|---|---|---|---|"
for p in $GROUP_SIZES; do
  G="$WORK/group$p"
  mkdir -p "$G"
  /usr/bin/python3 bench/network_group_peer.py "$G" "$p" 17 300 0.3 > "$G/peer.json"
  alpha=$(/usr/bin/python3 -c "import json; print(repr(json.load(open('$G/peer.json'))['alpha']))")
  files=$(ls "$G"/sub*.csv | sort -V)
  for run in $(seq "$RUNS"); do
    rm -rf "$G/out"
    # shellcheck disable=SC2086
    "$BUILD/bin/neuromosaic-cli" --progress none network --series $files --alpha "$alpha" --tol 1e-7 -o "$G/out" --json "$G/ours.$run.json" > /dev/null
  done
  /usr/bin/python3 bench/network_group_peer.py score "$G" "$alpha" > "$G/score.json"
  /usr/bin/python3 - "$G" "$RUNS" "$p" <<'PY'
import json, statistics as st, sys
g, runs, p = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ours = [json.load(open(f"{g}/ours.{r}.json")) for r in range(1, runs + 1)]
peer, score = json.load(open(f"{g}/peer.json")), json.load(open(f"{g}/score.json"))
t = st.median(o["fit_seconds"] for o in ours)
print(f"| {p} | {ours[0]['edges']} | {t:.3f} | {peer['nilearn_seconds']:.2f} | {peer['nilearn_seconds'] / t:.0f}x | "
      f"{ours[0]['iterations']} / {peer['nilearn_iterations']} | {score['objective_ours']:.10f} | {peer['objective_nilearn']:.10f} |")
PY
done
