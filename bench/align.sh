#!/bin/bash
# Dense FUGW on fsaverage5 (bench/README.md, issue 14): one hemisphere's real sulc, curvature and
# thickness warped by a known smooth swirl of the sphere; NeuroMosaic's FUGW recovers it (median
# displacement error in mm vs the identity's), timed on the first 642 / 2,562 / 10,242 vertices
# (fsaverage's nested icosahedra). POT (Debian's python3-pot) solves the same balanced problem
# (same feature cost, same geometry kernel) with ot.gromov.fused_gromov_wasserstein; both plans are
# scored with POT's own FGW objective. Ours: Sinkhorn, 10 BCD x 10 inner iterations, eps-scaling from
# 1e-2 (x0.3 per iteration) to 1e-4 (unbalanced, rho=1) or 1e-5 (balanced). One MM inner solve is timed against ot.unbalanced.mm_unbalanced.
#   bench/align.sh [BUILD_DIR=build/release] [SIZES="642 2562 10242"] [RUNS=3] [POT_TIMEOUT_S=1800]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/release}
SIZES=${2:-642 2562 10242}
RUNS=${3:-3}
POT_TIMEOUT=${4:-1800}
SURF=${NEUROMOSAIC_TEST_DATA:-../shared/data}/surfaces/fsaverage5
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "# fsaverage5 left hemisphere, $(nproc) cores, $(date -u +%F); runs=$RUNS; command: $0 $*"
for n in $SIZES; do
  # unbalanced FUGW (the personalization setting): time (median of RUNS), errors
  for run in $(seq "$RUNS"); do
    /usr/bin/time -f '{"peak_kb": %M}' -o "$WORK/time.$n.$run" \
      "$BUILD/bin/nm_bench_align" deform "$SURF" "$WORK/u$n" --vertices "$n" --sigma 1.0 --angle 0.15 --inner 10 \
      --eps-start 1e-2 > "$WORK/ours.$n.$run"
  done
  # balanced, for POT: the same problem, exported
  "$BUILD/bin/nm_bench_align" deform "$SURF" "$WORK/b$n" --vertices "$n" --sigma 1.0 --angle 0.15 --inner 10 \
    --rho inf --eps 1e-5 --eps-start 1e-2 --export > "$WORK/bal.$n"
  "$BUILD/bin/nm_bench_align" inner "$WORK/b$n" 10 > "$WORK/inner.$n"
  if timeout "$POT_TIMEOUT" /usr/bin/python3 bench/align_peer.py "$WORK/b$n" 0.5 10 > "$WORK/peer.$n" 2> "$WORK/peer.$n.err"; then :; else
    echo "{\"vertices\": $n, \"pot_fgw_seconds\": null, \"timeout_s\": $POT_TIMEOUT}" > "$WORK/peer.$n"
  fi
  rm -rf "$WORK/b$n"
done
/usr/bin/python3 - "$WORK" "$RUNS" $SIZES <<'PY'
import json, statistics as st, sys
w, runs, sizes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
print("| vertices | ours unbalanced s (median) | peak GiB | median error mm (ours / identity) | ours balanced s | POT FGW s | ratio | FGW objective ours / POT | MM 10 it. ours / POT s |")
print("|---|---|---|---|---|---|---|---|---|")
for n in sizes:
    ours = [json.load(open(f"{w}/ours.{n}.{r}")) for r in range(1, runs + 1)]
    peak = max(json.load(open(f"{w}/time.{n}.{r}"))["peak_kb"] for r in range(1, runs + 1)) / 2**20
    bal = json.load(open(f"{w}/bal.{n}"))
    inner = json.load(open(f"{w}/inner.{n}"))
    peer = json.load(open(f"{w}/peer.{n}"))
    t = st.median(o["solve_seconds"] for o in ours)
    o0 = ours[0]
    if peer.get("pot_fgw_seconds") is None:
        pot, ratio, obj, mm = f"> {peer['timeout_s']} (timeout)", f"> {peer['timeout_s'] / bal['solve_seconds']:.0f}x", "-", f"{inner['mm_seconds']:.2f} / -"
    else:
        pot = f"{peer['pot_fgw_seconds']:.1f}"
        ratio = f"{peer['pot_fgw_seconds'] / bal['solve_seconds']:.1f}x"
        obj = f"{peer['ours_fgw_objective']:.5f} / {peer['pot_fgw_objective']:.5f}"
        mm = f"{inner['mm_seconds']:.2f} / {peer['pot_mm_seconds']:.2f}"
    print(f"| {n} | {t:.1f} | {peak:.2f} | {o0['median_error_mm']:.2f} / {o0['median_error_identity_mm']:.2f} "
          f"| {bal['solve_seconds']:.1f} | {pot} | {ratio} | {obj} | {mm} |")
PY
