#!/bin/bash
# NeuroMosaic's dictionary learning (SOMF) against scikit-learn's MiniBatchDictionaryLearning on the
# same preprocessed data (the demo cohort, exported as .npy): held-out explained variance against
# time for both, the time each needs to reach the same EV and the EV each reaches in the same time.
#   bench/learn_vs_sklearn.sh [BUILD_DIR=build/release] [COHORT=<cache>/bench/demo] [K=256] [RUNS=3]
# The cohort is simulated (preset demo) when absent. Needs ./scripts/setup-deps.sh --bench.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
COHORT=${2:-${XDG_CACHE_HOME:-$HOME/.cache}/neuromosaic/bench/demo}
K=${3:-256}
RUNS=${4:-3}
CLI=$BUILD/bin/neuromosaic-cli
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PY=/usr/bin/python3
echo "# learn_vs_sklearn: k=$K, cohort $COHORT, $RUNS runs, $(nproc) cores, $(date -u +%F)"
echo "# command: $0 $*"
[ -d "$COHORT/sub-001" ] || "$CLI" simulate --preset demo --out "$COHORT" --progress none
CACHE=$WORK/cache
"$CLI" learn "$COHORT" --cache "$CACHE" --dump-data "$WORK/data" --progress none >/dev/null
$PY -c "import numpy as np; a=np.load('$WORK/data/train.npy', mmap_mode='r'); b=np.load('$WORK/data/held_out.npy', mmap_mode='r'); print('# data: train', a.shape, 'held-out', b.shape, '(volumes x voxels)')"

# Ours: held-out EV after a growing number of iterations; time = initialisation + learning
# (preprocessing excluded on both sides: both start from the same preprocessed arrays).
: > "$WORK/ours.jsonl"
for run in $(seq "$RUNS"); do
  for it in 4 8 16 32 63 126; do
    "$CLI" learn "$COHORT" --scales "$K" --max-iterations $it --seed $run --no-network --no-surfaces --cache "$CACHE" \
        --progress json --out "$WORK/a.nmatlas.h5" | tail -1 |
      $PY -c "import json,sys; o=json.loads(sys.stdin.read())['outputs']; print(json.dumps({'run': $run, 'iterations': $it, 'seconds': o['init_seconds'] + o['learn_seconds'], 'explained_variance': o['scales'][0]['held_out_explained_variance']}))" >> "$WORK/ours.jsonl"
  done
done
# The peer: nilearn's use of MiniBatchDictionaryLearning (alpha chosen for maps as sparse as ours
# and for its best EV; see the README).
: > "$WORK/peer.jsonl"
for run in $(seq "$RUNS"); do
  for alpha in 1 10; do
    $PY bench/learn_vs_sklearn_peer.py "$WORK/data" "$K" $alpha 5,10,20,40,80,115 256 codes |
      $PY -c "import json,sys
for l in sys.stdin: o=json.loads(l); o['run']=$run; o['alpha']=$alpha; print(json.dumps(o))" >> "$WORK/peer.jsonl"
  done
  $PY bench/learn_vs_sklearn_peer.py "$WORK/data" "$K" 1 8,16,32,63,126 128 maps |
    $PY -c "import json,sys
for l in sys.stdin: o=json.loads(l); o['run']=$run; o['alpha']=1; print(json.dumps(o))" >> "$WORK/peer.jsonl"
done
$PY - "$WORK/ours.jsonl" "$WORK/peer.jsonl" <<'PY'
import json, sys, statistics as st
from collections import defaultdict
ours = [json.loads(l) for l in open(sys.argv[1])]
peer = [json.loads(l) for l in open(sys.argv[2])]
def curve(rows, key):
    g = defaultdict(list)
    for r in rows: g[key(r)].append(r)
    return sorted(((st.median(x['seconds'] for x in v), st.median(x['explained_variance'] for x in v), k) for k, v in g.items()))
o = curve(ours, lambda r: r['iterations'])
print('\nNeuroMosaic SOMF (median of runs)\n  iterations   seconds   held-out EV')
for s, e, k in o: print(f'  {k:10d} {s:9.2f}   {e:.4f}')
def time_to(c, target):
    for s, e, _ in c:
        if e >= target: return s
    return None
def ev_at(c, t):
    best = None
    for s, e, _ in c:
        if s <= t: best = e if best is None else max(best, e)
    return best
for form, alpha in sorted({(r['formulation'], r['alpha']) for r in peer}):
    mine = [r for r in peer if r['alpha'] == alpha and r['formulation'] == form]
    p = curve(mine, lambda r: r['batches'])
    dens = st.median(r['density'] for r in mine if r['batches'] == max(x['batches'] for x in mine))
    what = 'maps = sparse codes of the voxels (nilearn DictLearning)' if form == 'codes' else 'maps = dictionary atoms (modl formulation)'
    print(f'\nscikit-learn MiniBatchDictionaryLearning, {what}, alpha={alpha:g} (final map density {dens:.3f})\n  batches   seconds   held-out EV')
    for s, e, k in p: print(f'  {k:7d} {s:9.2f}   {e:.4f}')
    print('  time to reach the same held-out EV (peer / ours):')
    for s, e, k in p:
        t = time_to(o, e)
        print(f'    EV {e:.4f}: peer {s:7.2f} s, ours ' + (f'{t:6.2f} s  ratio {s / t:5.1f}x' if t else 'not reached'))
    best_peer = max(e for _, e, _ in p)
    t_peer = time_to(p, best_peer); t_ours = time_to(o, best_peer)
    print(f'  peer best EV {best_peer:.4f} after {t_peer:.2f} s; ours reaches it after ' + (f'{t_ours:.2f} s: {t_peer / t_ours:.1f}x faster' if t_ours else 'never'))
    print('  EV in the same time (ours at the peer\'s checkpoint times):')
    for s, e, k in p:
        eo = ev_at(o, s)
        print(f'    {s:7.2f} s: peer {e:.4f}, ours ' + (f'{eo:.4f}' if eo is not None else '-'))
print(f'\nours, best: EV {max(e for _, e, _ in o):.4f} in {max(s for s, _, _ in o):.2f} s')
PY
