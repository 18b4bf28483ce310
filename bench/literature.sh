#!/bin/bash
# All term maps of NeuroQuery (MKDA-chi2, every term used by 5 or more studies) on the 4 mm MNI grid:
# NeuroMosaic's one-pass build (time, peak memory) against a straightforward NumPy implementation of
# NiMARE's MKDAChi2 per term (a few terms timed, extrapolated to the vocabulary), maps compared (r),
# then decode of one map from the cache. Median of RUNS builds.
#   bench/literature.sh [BUILD_DIR=build/release] [LITERATURE=../shared/data/literature] [RUNS=3]
# Needs ./scripts/setup-deps.sh --bench (python3-numpy, python3-scipy, time).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
LIT=${2:-../shared/data/literature}
RUNS=${3:-3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
TERMS=motor,face,working\ memory,reward,language
echo "# literature: $LIT, $RUNS runs, $(nproc) cores, $(date -u +%F)"
echo "# command: $0 $*"
for run in $(seq "$RUNS"); do
  /usr/bin/time -f '{"peak_kb": %M, "wall_s": %e}' -o "$WORK/time.$run" \
    "$BUILD/bin/nm_bench_semantics" mkda "$LIT" "$WORK/ours" "$TERMS" > "$WORK/ours.$run"
done
/usr/bin/python3 bench/literature_peer.py "$LIT/neuroquery_v1" "$WORK/ours" "$TERMS" > "$WORK/peer.json"
# decode from the cache (built on first use, then read)
export NEUROMOSAIC_CACHE_DIR=$WORK/cache
MAP=$WORK/ball.nii.gz
/usr/bin/python3 -c "
import numpy as np, nibabel as nib
A=np.diag([4.,4.,4.,1.]); A[:3,3]=[-90,-126,-72]
i,j,k=np.meshgrid(*[np.arange(n) for n in (46,55,46)], indexing='ij')
xyz=np.stack([i,j,k,np.ones_like(i)],-1)@A.T
d=np.linalg.norm(xyz[...,:3]-np.array([-38,-22,56]),axis=-1)
nib.save(nib.Nifti1Image((d<=12).astype(np.float32),A),'$MAP')"
"$BUILD/bin/neuromosaic-cli" decode "$MAP" --literature "$LIT" --progress none -o "$WORK/d0.json" >/dev/null
for run in $(seq 5); do "$BUILD/bin/neuromosaic-cli" decode "$MAP" --literature "$LIT" --progress none -o "$WORK/d$run.json" > /dev/null; done
/usr/bin/python3 - "$WORK" "$RUNS" <<'PY'
import json, statistics as st, sys
w, runs = sys.argv[1], int(sys.argv[2])
ours = [json.load(open(f'{w}/ours.{r}')) for r in range(1, runs + 1)]
tm = [json.load(open(f'{w}/time.{r}')) for r in range(1, runs + 1)]
peer = json.load(open(f'{w}/peer.json'))
o = ours[0]
build = st.median(x['build_seconds'] for x in ours)
read = st.median(x['read_seconds'] for x in ours)
peak = st.median(t['peak_kb'] for t in tm) / 1024 ** 2
per_term = st.median(peer['seconds_per_term'])
peer_all = per_term * o['terms']
print(f"database: {o['database']}, {o['studies']} studies, {o['peaks']} peaks, {o['terms']} term maps, {o['voxels']} voxels (4 mm)")
print(f"NeuroMosaic, all terms: build {build:.1f} s + read {read:.1f} s (median of {runs}), peak memory {peak:.2f} GiB; "
      f"{o['terms_with_fdr_voxels']} terms with voxels surviving BH-FDR q=0.01")
print(f"peer (NumPy MKDAChi2 per term): {per_term:.2f} s per term (median of {len(peer['seconds_per_term'])}) -> {peer_all / 3600:.1f} h for all terms")
print(f"ratio peer / ours (all terms, build only): {peer_all / build:.0f}x")
print("maps, r with the peer: " + ", ".join(f"{t} {r:.5f}" for t, r in zip(peer['terms'], peer['r_with_ours'])))
d = [json.load(open(f'{w}/d{r}.json')) for r in range(1, 6)]
print(f"decode of one map from the cache: {st.median(x['seconds'] for x in d):.3f} s (median of 5); top terms: "
      + ", ".join(t['term'] for t in d[0]['terms'][:5]))
PY
