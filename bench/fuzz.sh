#!/bin/bash
# Fuzzes every reader (fuzz/fuzz_reader.cpp: libFuzzer + ASan + UBSan, clang-14) from seed corpora
# of real files and of the formats' reference writers, and prints per harness: executions, edges
# covered, corpus size, findings (crash / leak / timeout > 1 s / oom: one allocation > 2 GB or
# RSS > 4 GB). A finding's input is kept in the work folder; minimise it (-minimize_crash=1) and
# add it to fuzz/regressions/<target>/ before fixing the reader.
#   bench/fuzz.sh [RUNS=100000] [TARGETS=all|t1,t2] [JOBS=2]
# Builds the fuzz preset when its binaries are missing. FUZZ_WORK=DIR keeps corpora between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-100000}
TARGETS=${2:-all}
JOBS=${3:-2}
BUILD=build/fuzz
DATA=${NEUROMOSAIC_TEST_DATA:-../shared/data}
if [ ! -x "$BUILD/bin/nm_fuzz_nifti" ]; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz
fi
WORK=${FUZZ_WORK:-$(mktemp -d)}
mkdir -p "$WORK"
echo "# fuzz: $RUNS executions per harness, $(nproc) cores, $(date -u +%F), clang $(clang-14 --version | head -1 | grep -o '[0-9][0-9.]*' | head -1)"
echo "# command: $0 $*   (work folder $WORK)"
[ -d "$WORK/seeds" ] || /usr/bin/python3 fuzz/seeds.py "$WORK/seeds" "$DATA"
# The project's own writers: a tiny simulated cohort (NIfTI, events, participants) and a tiny atlas bundle.
CLI=build/release/bin/neuromosaic-cli
if [ -x "$CLI" ] && [ ! -d "$WORK/seeds/atlas_bundle" ]; then
  "$CLI" simulate --preset tiny --subjects 2 --out "$WORK/tiny" --progress none >/dev/null 2>&1 || true
  if [ -d "$WORK/tiny" ]; then
    find "$WORK/tiny" -name '*_events.tsv' | head -3 | xargs -r cp -t "$WORK/seeds/bids_events/"
    cp "$WORK/tiny/participants.tsv" "$WORK/seeds/table/" 2>/dev/null || true
    "$CLI" learn "$WORK/tiny" --scales 4 --no-network --no-surfaces --cache "$WORK/cache" --out "$WORK/tiny.nmatlas.h5" --progress none >/dev/null 2>&1 ||
      echo "# (no atlas-bundle seed: learn on the tiny cohort failed)"
    mkdir -p "$WORK/seeds/atlas_bundle"
    [ -f "$WORK/tiny.nmatlas.h5" ] && cp "$WORK/tiny.nmatlas.h5" "$WORK/seeds/atlas_bundle/"
  fi
fi
mkdir -p "$WORK/seeds/atlas_bundle"
[ "$TARGETS" = all ] && TARGETS=$(paste -sd, fuzz/targets.txt)
dict_of() {
  case $1 in
    nifti*|mgh|mgz) echo fuzz/dict/nifti.dict ;;
    gifti*) echo fuzz/dict/gifti.dict ;;
    table|bids_events|connectome_csv|connectome_edges|fs_label) echo fuzz/dict/tsv.dict ;;
    connectome_gml) echo fuzz/dict/gml.dict ;;
    session) echo fuzz/dict/json.dict ;;
    npy|npz|sparse_npz|connectome_zip) echo fuzz/dict/npy.dict ;;
    *) echo "" ;;
  esac
}
run_one() {
  local t=$1 dict
  dict=$(dict_of "$t")
  mkdir -p "$WORK/corpus/$t" "$WORK/findings/$t"
  local start=$SECONDS maxlen=65536
  [ "$t" = atlas_bundle ] && maxlen=262144  # the smallest real bundle is ~90 kB
  LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0 "$BUILD/bin/nm_fuzz_$t" "$WORK/corpus/$t" "$WORK/seeds/$t" -runs="$RUNS" -timeout=1 -malloc_limit_mb=2048 -rss_limit_mb=4096 \
      -max_len=$maxlen -print_final_stats=1 -artifact_prefix="$WORK/findings/$t/" ${dict:+-dict=$dict} > "$WORK/$t.log" 2>&1 || true
  local execs cov corpus found
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$WORK/$t.log" | grep -o '[0-9]*$' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$WORK/$t.log" | tail -1 | grep -o '[0-9]*$' || echo "?")
  corpus=$(ls "$WORK/corpus/$t" | wc -l)
  found=$(ls "$WORK/findings/$t" | tr '\n' ' ')
  printf '%-18s %10s %7s %7s %6ss  %s\n' "$t" "${execs:-?}" "${cov:-?}" "$corpus" "$((SECONDS - start))" "${found:-none}"
}
export -f run_one dict_of
export WORK RUNS BUILD
printf '%-18s %10s %7s %7s %7s  %s\n' harness executions edges corpus time findings
tr ',' '\n' <<< "$TARGETS" | xargs -P "$JOBS" -I{} bash -c 'run_one {}'
