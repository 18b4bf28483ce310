#!/usr/bin/env bash
# One seRNN (100 units, 5,120 maze problems, 10 epochs, SE1+communicability λ 0.05) trained by
# `neuromosaic-cli ann train` (LibTorch C++) and by the same model in PyTorch (ann_sernn_peer.py,
# Debian python3-torch: the same LibTorch underneath), side by side, on 1 and 2 threads; then
# `ann analyze` of one saved epoch with 100 nulls. Medians of REPS runs, and the ratios.
# Usage: bench/ann_sernn.sh [BUILD_DIR] [REPS] [THREADS_LIST]
set -euo pipefail
build=${1:-build/release}
reps=${2:-3}
threads_list=${3:-1,2}
cli="$build/bin/neuromosaic-cli"
peer="$(dirname "$0")/ann_sernn_peer.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "bench/ann_sernn.sh $*  ($(date -u +%F), $(nproc) cores, $(uname -m))"
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

IFS=, read -ra tl <<< "$threads_list"
for t in "${tl[@]}"; do
  ours=(); theirs=(); acc_o=(); acc_t=()
  for r in $(seq 1 "$reps"); do
    rm -rf "$work/run"
    s0=$(date +%s.%N)
    "$cli" ann train --regularizer se1comm --lambda 0.05 --epochs 10 --seed "$r" --threads "$t" --progress none --out "$work/run" > /dev/null
    s1=$(date +%s.%N)
    ours+=("$(echo "$s1 - $s0" | bc -l)")
    acc_o+=("$(/usr/bin/python3 -c "import json;print(json.load(open('$work/run/summary.json'))['test_accuracy'])")")
    line=$(/usr/bin/python3 "$peer" --threads "$t" --epochs 10 --lam 0.05 --seed "$r")
    theirs+=("$(echo "$line" | /usr/bin/python3 -c "import json,sys;print(json.load(sys.stdin)['seconds'])")")
    acc_t+=("$(echo "$line" | /usr/bin/python3 -c "import json,sys;print(json.load(sys.stdin)['test_accuracy'])")")
  done
  mo=$(printf '%s\n' "${ours[@]}" | median); mt=$(printf '%s\n' "${theirs[@]}" | median)
  printf 'threads %s: ours (whole command) %s s [%s], PyTorch (training loop only) %s s [%s], ratio PyTorch/ours %.2f\n' \
    "$t" "$mo" "${ours[*]}" "$mt" "${theirs[*]}" "$(echo "$mt / $mo" | bc -l)"
  printf '  test accuracy: ours [%s], PyTorch [%s]\n' "${acc_o[*]}" "${acc_t[*]}"
done

# Analysis of one saved epoch: all measures, 100 nulls.
an=()
for r in $(seq 1 "$reps"); do
  s0=$(date +%s.%N)
  "$cli" ann analyze "$work/run" --epochs 10 --nulls 100 --progress none --out "$work/m.tsv" > /dev/null
  s1=$(date +%s.%N)
  an+=("$(echo "$s1 - $s0" | bc -l)")
done
printf 'ann analyze, one epoch, 100 nulls: %s s median [%s]\n' "$(printf '%s\n' "${an[@]}" | median)" "${an[*]}"
