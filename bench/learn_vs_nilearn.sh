#!/bin/bash
# NeuroMosaic's `learn` against the real nilearn 0.10.1 DictLearning (../shared/peers/nilearn), both
# trained on identically cleaned data: `learn --dump-data` writes the cleaned, z-scored training and
# held-out volumes (detrend, 128 s cosine high-pass, six motion parameters — `learn`'s cleaning, per
# run, with each run's own TR) and the mask; the peer rebuilds each subject's 4-D image from them
# and fits DictLearning with its own per-subject reduction and CanICA initialisation, with nilearn's
# cleaning switched off (no smoothing, detrending or standardisation: already done). Both sides'
# maps are scored by one evaluation (learn_vs_nilearn_peer.py score): held-out EV by least squares
# on the maps. Prints both curves (EV against time), the speed ratio at equal EV, the EV at equal
# time, and the cost of positivity (ours positive against ours --signed and nilearn's signed maps).
#   bench/learn_vs_nilearn.sh [BUILD_DIR=build/release] [COHORT=<cache>/bench/demo] [KS=64,256] [RUNS=3] [PEER_RUNS=1]
#   COHORT=haxby: the real Haxby 2001 slice (../shared/data), each run a pseudo-subject, 3 of the 12
#   runs held out, its own mask, no confounds (the slice has no motion parameters).
# LEARN_ARGS adds options to every `learn` call.
# The cohort is simulated (preset demo) when absent. nilearn's fit takes ~5 min at k = 256 on the
# demo cohort (one core), so PEER_RUNS defaults to 1; ours are medians of RUNS seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
COHORT=${2:-${XDG_CACHE_HOME:-$HOME/.cache}/neuromosaic/bench/demo}
KS=${3:-64,256}
RUNS=${4:-3}
PEER_RUNS=${5:-1}
CLI=$BUILD/bin/neuromosaic-cli
PEERS=${NEUROMOSAIC_PEERS:-../shared/peers}
[ -d "$PEERS/nilearn/nilearn" ] || { echo "learn_vs_nilearn: nilearn not found in $PEERS/nilearn (set NEUROMOSAIC_PEERS)" >&2; exit 2; }
PY=/usr/bin/python3
PEER="env PYTHONPATH=$PEERS/nilearn OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $PY bench/learn_vs_nilearn_peer.py"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "# learn_vs_nilearn: k=$KS, cohort $COHORT, ours $RUNS runs, nilearn $PEER_RUNS runs, $(nproc) cores, $(date -u +%F)"
echo "# command: $0 $*"
IFS=, read -ra KLIST <<< "$KS"
read -ra EXTRA <<< "${LEARN_ARGS:-}"
if [ "$COHORT" = haxby ]; then
  DATA=${NEUROMOSAIC_TEST_DATA:-../shared/data}
  [ -f "$DATA/fmri/haxby2001_slice/bold.nii.gz" ] || { echo "learn_vs_nilearn: $DATA/fmri/haxby2001_slice not found" >&2; exit 2; }
  $PY bench/learn_vs_nilearn_peer.py haxby "$DATA/fmri/haxby2001_slice" "$WORK/haxby"
  COHORT=$WORK/haxby
  EXTRA+=(--mask "$DATA/fmri/haxby2001_slice/mask.nii.gz" --held-out 0.25 --no-confounds)
fi
[ -d "$COHORT/sub-001" ] || [ -d "$WORK/haxby" ] || "$CLI" simulate --preset demo --out "$COHORT" --progress none
CACHE=$WORK/cache
"$CLI" learn "$COHORT" --scales "${KLIST[0]}" "${EXTRA[@]}" --cache "$CACHE" --dump-data "$WORK/data" --progress none >/dev/null
$PEER images "$WORK/data" "$WORK/img"
$PY -c "import json; m=json.load(open('$WORK/data/subjects.json')); print('# data:', len(m['train']), 'training subjects,', sum(m['train_volumes']), 'volumes;', len(m['held_out']), 'held out,', sum(m['held_out_volumes']), 'volumes;', m['voxels'], 'voxels')"

: > "$WORK/rows.jsonl"
ours() {  # K RUN LABEL EXTRA-ARGS…
  local k=$1 run=$2 label=$3; shift 3
  local secs
  secs=$("$CLI" learn "$COHORT" --scales "$k" "${EXTRA[@]}" --seed "$run" --no-network --no-surfaces --cache "$CACHE" --progress json \
      --out "$WORK/a.nmatlas.h5" "$@" | tail -1 | $PY -c "import json,sys; o=json.loads(sys.stdin.read())['outputs']; print(o['init_seconds'] + o['learn_seconds'])")
  rm -rf "$WORK/exp"
  "$CLI" export "$WORK/a.nmatlas.h5" -o "$WORK/exp" --no-labels --no-gifti --no-network --compression 1 --progress none >/dev/null
  $PEER score "$WORK/data" "$WORK/exp/atlas_scale-${k}_maps.nii.gz" |
    $PY -c "import json,sys; o=json.loads(sys.stdin.read()); o.update(side='ours', label='$label', k=$k, run=$run, seconds=$secs); print(json.dumps(o))" >> "$WORK/rows.jsonl"
}
for k in "${KLIST[@]}"; do
  for run in $(seq "$RUNS"); do
    for it in 8 16 32 63; do ours "$k" "$run" "positive, $it iterations" --max-iterations $it; done
    ours "$k" "$run" "positive, 2 epochs" --epochs 2
    ours "$k" "$run" "positive, 4 epochs" --epochs 4
    ours "$k" "$run" "signed, 2 epochs" --epochs 2 --signed
  done
  for run in $(seq "$PEER_RUNS"); do
    $PEER fit "$WORK/data" "$WORK/img" "$k" 1 "$run" 10 "$WORK/peer.nii.gz" > "$WORK/fit.json"
    $PEER score "$WORK/data" "$WORK/peer.nii.gz" |
      $PY -c "import json,sys; f=json.load(open('$WORK/fit.json')); o=json.loads(sys.stdin.read()); o.update(side='nilearn', label='DictLearning alpha 10, 1 epoch', k=$k, run=$run, seconds=f['seconds']); print(json.dumps(o))" >> "$WORK/rows.jsonl"
  done
done
# LEARN_VS_NILEARN_ROWS=FILE keeps every measurement (one JSON line each).
if [ -n "${LEARN_VS_NILEARN_ROWS:-}" ]; then cp "$WORK/rows.jsonl" "$LEARN_VS_NILEARN_ROWS"; fi
$PY - "$WORK/rows.jsonl" <<'PY'
import json, sys, statistics as st
from collections import defaultdict
rows = [json.loads(l) for l in open(sys.argv[1])]
for k in sorted({r['k'] for r in rows}):
    g = defaultdict(list)
    for r in rows:
        if r['k'] == k: g[(r['side'], r['label'])].append(r)
    med = {key: (st.median(x['seconds'] for x in v), st.median(x['explained_variance'] for x in v),
                 st.median(x['density'] for x in v), st.median(x['negative_fraction'] for x in v), len(v)) for key, v in g.items()}
    print(f'\nk = {k}: held-out EV (one evaluation for both), medians\n  side     setting                              seconds   held-out EV   density  negative  runs')
    for (side, label), (s, e, d, neg, n) in sorted(med.items(), key=lambda kv: (kv[0][0] != 'ours', kv[1][0])):
        print(f'  {side:8s} {label:36s} {s:8.2f}   {e:.4f}        {d:.3f}    {neg:.3f}   {n}')
    curve = sorted((s, e) for (side, label), (s, e, *_ ) in med.items() if side == 'ours' and label.startswith('positive'))
    signed = [v for (side, label), v in med.items() if side == 'ours' and label.startswith('signed')]
    for (side, label), (ps, pe, *_ ) in med.items():
        if side != 'nilearn': continue
        reach = next((s for s, e in curve if e >= pe), None)
        best_within = max((e for s, e in curve if s <= ps), default=None)
        print(f'  nilearn EV {pe:.4f} in {ps:.2f} s: ours reaches it in ' + (f'{reach:.2f} s, {ps / reach:.1f}x faster' if reach else
              f'— not reached (ours best {max(e for _, e in curve):.4f}, {pe - max(e for _, e in curve):+.4f} short)'))
        if best_within is not None: print(f'  EV at nilearn\'s time: ours {best_within:.4f} vs nilearn {pe:.4f}')
    if signed:
        pos2 = med.get(('ours', 'positive, 2 epochs'))
        print(f'  cost of positivity (ours, 2 epochs): positive {pos2[1]:.4f} vs signed {signed[0][1]:.4f} ({pos2[1] - signed[0][1]:+.4f})')
PY
