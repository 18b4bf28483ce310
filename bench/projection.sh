#!/usr/bin/env bash
# Volume -> surface projection of many maps: ours (C++) against a scipy implementation of nilearn's
# vol_to_surf line kernel, in one run. Usage: bench/projection.sh [BUILD_DIR] [MAPS] [VOXEL_MM]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
maps=${2:-1024}
voxel=${3:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/bin/neuromosaic-cli" anatomy --export "$tmp/surf" --progress none > /dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
ours=$("$build/bin/nm_bench_projection" "$tmp" "$maps" "$voxel" 3)
echo "ours: $ours"
peer=$(/usr/bin/python3 bench/projection_peer.py "$tmp" "$tmp/surf")
echo "peer: $peer"
/usr/bin/python3 - "$ours" "$peer" <<'PY'
import json, sys
o, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"projection of {o['maps']} maps onto {o['vertices'][0]} + {o['vertices'][1]} vertices: "
      f"ours {o['project_s']:.2f} s (+ {o['build_s']:.2f} s to build the sampling), "
      f"peer {p['peer_project_s']:.2f} s, ratio {p['peer_project_s'] / o['project_s']:.1f}x; "
      f"max |difference| {p['max_abs_difference']:.2e}")
PY
