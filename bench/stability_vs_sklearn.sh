#!/bin/bash
# Stability selection on the demo atlas at 1024 components: NeuroMosaic's labels of every concept
# (100 half-subsamples, randomised lasso along 5 penalties), and, for the first concept, the
# identical fits (same subsamples, penalty factors and penalties) by NeuroMosaic's coordinate
# descent and by scikit-learn's L1 LogisticRegression (liblinear and saga): times, ratio, and the
# largest coefficient difference. Median of RUNS.
#   bench/stability_vs_sklearn.sh [BUILD_DIR=build/release] [BUNDLE=<cache>/demo/demo.nmatlas.h5] [SCALE=1024] [RUNS=3]
# Needs ./scripts/setup-deps.sh --bench, and the demo atlas (./scripts/run.sh builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
BUNDLE=${2:-${NEUROMOSAIC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/neuromosaic}/demo/demo.nmatlas.h5}
SCALE=${3:-1024}
RUNS=${4:-3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "# stability_vs_sklearn: $BUNDLE at $SCALE components, $RUNS runs, $(nproc) cores, $(date -u +%F)"
echo "# command: $0 $*"
for run in $(seq "$RUNS"); do "$BUILD/bin/nm_bench_semantics" stability "$BUNDLE" "$SCALE" "$WORK/data" 100 > "$WORK/ours.$run"; done
/usr/bin/python3 bench/stability_peer.py "$WORK/data" liblinear > "$WORK/peer.liblinear"
/usr/bin/python3 bench/stability_peer.py "$WORK/data" saga 5 > "$WORK/peer.saga"   # saga: 5 subsamples, time scaled to 100
/usr/bin/python3 - "$WORK" "$RUNS" <<'PY'
import json, statistics as st, sys
w, runs = sys.argv[1], int(sys.argv[2])
o = [json.load(open(f'{w}/ours.{r}')) for r in range(1, runs + 1)]
first = o[0]
ours_fit = st.median(x['first_concept_fit_seconds'] for x in o)
print(f"{first['samples']} effects x {first['components']} components, {first['concepts']} concepts, {first['subsamples']} subsamples")
print(f"NeuroMosaic: stability selection of all concepts {st.median(x['stability_seconds_all_concepts'] for x in o):.2f} s "
      f"({first['fits_all_concepts']} subsample fits), component effects {st.median(x['effect_seconds'] for x in o):.1f} s (median of {runs})")
print(f"the first concept ('{first['first_concept']}', {first['first_concept_positives']:.0f} positives): 100 subsamples x 5 penalties")
print(f"  NeuroMosaic coordinate descent: {ours_fit:.3f} s")
for s in ('liblinear', 'saga'):
    p = json.load(open(f'{w}/peer.{s}'))
    print(f"  scikit-learn {s:9s}: {p['seconds']:.2f} s{' (extrapolated from %d)' % p['subsamples_run'] if p['subsamples_run'] < first['subsamples'] else ''}  ratio {p['seconds'] / ours_fit:.0f}x; coefficients: max |diff| "
          f"{p['max_abs_coefficient_difference']:.2e}, median {p['median_abs_coefficient_difference']:.2e}, support agreement {p['support_agreement']:.4f}")
PY
