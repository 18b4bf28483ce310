#!/bin/bash
# Coarse-to-fine FUGW on the template's cortical surfaces (~40,000 vertices per hemisphere; issue
# 14's targets: ≤ 5 min and ≤ 4 GiB per hemisphere, 1,024 components of both hemispheres carried
# ≤ 10 min). Each hemisphere's real sulcal depth, curvature and thickness (the template's) are warped
# by a known smooth swirl of its sphere; FUGW (coarse problem on 1,000 farthest-point vertices, mask
# dilated by their spacing, sparse fine problem; Landmark-MDS geodesic geometry) recovers it; the
# plan then carries 1,024 maps. Prints per hemisphere the median of RUNS: geometry (LMDS) s, solve
# s, transport s, peak GiB, plan entries, median error of the mass barycentres and of the best
# matches vs the identity's (mm, on the white surface). No peer runs at this size: a dense n × n
# plan (POT, or our dense solver) would need 40,000² floats = 6.4 GB per matrix, several of them.
#   bench/align_template.sh [BUILD_DIR=build/release] [RUNS=3] [EXTRA_OPTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
RUNS=${2:-3}
EXTRA=${3:-}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "# template surfaces, $(nproc) cores, $(date -u +%F); runs=$RUNS; command: $0 $*"
for hemi in left right; do
  for run in $(seq "$RUNS"); do
    # shellcheck disable=SC2086
    /usr/bin/time -f '{"peak_kb": %M}' -o "$WORK/time.$hemi.$run" \
      "$BUILD/bin/nm_bench_align" deform - "$WORK/x" --space template --hemi "$hemi" --coarse-to-fine \
      --sigma 1.0 --angle 0.15 --inner 10 --eps-start 1e-2 --transport 1024 $EXTRA > "$WORK/ours.$hemi.$run"
  done
done
/usr/bin/python3 - "$WORK" "$RUNS" <<'PY'
import json, statistics as st, sys
w, runs = sys.argv[1], int(sys.argv[2])
print("| hemisphere | vertices | LMDS s | solve s | transport 1024 maps s | total s | peak GiB | entries / vertex | median error mm: barycentre / best match / identity |")
print("|---|---|---|---|---|---|---|---|---|")
total = 0.0
for hemi in ("left", "right"):
    o = [json.load(open(f"{w}/ours.{hemi}.{r}")) for r in range(1, runs + 1)]
    peak = max(json.load(open(f"{w}/time.{hemi}.{r}"))["peak_kb"] for r in range(1, runs + 1)) / 2**20
    med = lambda k: st.median(x[k] for x in o)
    t = med("embed_seconds") + med("solve_seconds") + med("transport_seconds")
    total += t
    print(f"| {hemi} | {o[0]['vertices']} | {med('embed_seconds'):.1f} | {med('solve_seconds'):.1f} | "
          f"{med('transport_seconds'):.1f} | {t:.1f} | {peak:.2f} | {med('entries_per_vertex'):.0f} | "
          f"{med('median_error_mm'):.2f} / {med('median_error_best_match_mm'):.2f} / {o[0]['median_error_identity_mm']:.2f} |")
print(f"\nboth hemispheres, geometry + FUGW + 1,024 maps carried: {total:.1f} s (target ≤ 600 s); "
      "per hemisphere target ≤ 300 s and ≤ 4 GiB")
PY
