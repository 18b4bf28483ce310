#!/bin/bash
# Real data: leave-one-run-out decoding of the 8 object categories of the Haxby et al. 2001 slice
# (12 runs, single volumes, rest removed) by NeuroMosaic's multinomial logistic regression and by
# scikit-learn's LinearSVC and LogisticRegression on the same features, in one run.
#   bench/haxby.sh [BUILD_DIR=build/release] [DATA=../shared/data/fmri/haxby2001_slice]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
DATA=${2:-../shared/data/fmri/haxby2001_slice}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "# haxby: $DATA, $(nproc) cores, $(date -u +%F)"
"$BUILD/bin/nm_bench_semantics" haxby "$DATA" "$WORK" > "$WORK/ours.json"
/usr/bin/python3 bench/haxby_peer.py "$WORK" > "$WORK/peer.json"
/usr/bin/python3 - "$WORK" <<'PY'
import json, sys
o, p = json.load(open(f'{sys.argv[1]}/ours.json')), json.load(open(f'{sys.argv[1]}/peer.json'))
print(f"{o['volumes']} volumes x {o['voxels']} voxels, {o['classes']} categories (chance {1 / o['classes']:.3f}), leave one run out")
print(f"  NeuroMosaic multinomial logistic: accuracy {o['accuracy']:.3f}  ({o['seconds']:.1f} s)")
for k, v in p.items(): print(f"  scikit-learn {k:18s}: accuracy {v['accuracy']:.3f}  ({v['seconds']:.1f} s)")
PY
