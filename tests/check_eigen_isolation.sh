#!/usr/bin/env bash
# Guard: ITK's bundled Eigen (itkeigen, 3.3.9) and the system Eigen (3.4) never meet at link time.
#
# Both define class and function templates in namespace Eigen with the same mangled names; when
# objects compiled against each are linked together, the linker keeps one body per name and code
# built for one Eigen runs the other's (an ODR violation; issue 22). The rule (docs/ARCHITECTURE.md):
#   1. only files named *Itk.cpp include ITK headers;
#   2. every object that instantiates ITK code (defines an itk:: symbol) belongs to libnmitk.so;
#   3. no Eigen symbol that such an object makes visible to the linker is defined by any other
#      object of the build (they are hidden: -fvisibility=hidden -fvisibility-inlines-hidden);
#   4. libnmitk.so exports no Eigen symbol.
# Usage: check_eigen_isolation.sh SOURCE_DIR BINARY_DIR
set -euo pipefail
src=$1
bin=$2
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. Sources.
bad_sources=$(cd "$src" && grep -rlE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]itk' \
                --include='*.cpp' --include='*.hpp' --include='*.h' --include='*.cxx' \
                core render widgets app tests bench 2>/dev/null | grep -v 'Itk\.cpp$' || true)
if [[ -n $bad_sources ]]; then
  echo "FAIL rule 1: ITK headers included outside *Itk.cpp files:"; echo "$bad_sources" | sed 's/^/  /'
  fail=1
fi

# The objects of this build: the outputs of compile_commands.json (CMAKE_EXPORT_COMPILE_COMMANDS),
# not every *.o under the tree, which may hold stale objects of sources moved elsewhere.
if [[ ! -f $bin/compile_commands.json ]]; then echo "FAIL: $bin/compile_commands.json missing (configure first)"; exit 1; fi
mapfile -t objects < <(grep -o ' -o [^ ]*\.o ' "$bin/compile_commands.json" | awk '{ print $2 }' | sort -u |
                       while read -r o; do [[ $o == /* ]] || o=$bin/$o; [[ -f $o ]] && echo "$o"; done)
if [[ ${#objects[@]} == 0 ]]; then echo "FAIL: no object files under $bin (build first)"; exit 1; fi

itk_side=()
others=()
for o in "${objects[@]}"; do
  # (grep -c, not grep -q: under pipefail an early exit of grep fails the pipeline.)
  if [[ $o == */CMakeFiles/nmitk.dir/* || $(nm -C --defined-only "$o" 2>/dev/null | grep -c ' itk::') != 0 ]]; then
    itk_side+=("$o")
  else
    others+=("$o")
  fi
done
echo "objects: ${#itk_side[@]} instantiate ITK, ${#others[@]} others"

# 2. ITK instantiations only inside libnmitk.so.
for o in "${itk_side[@]}"; do
  if [[ $o != */CMakeFiles/nmitk.dir/* ]]; then
    echo "FAIL rule 2: ${o#"$bin"/} instantiates ITK code but is not part of libnmitk.so"
    fail=1
  fi
done

# 3. Link-visible Eigen symbols of the ITK side (defined, GLOBAL or WEAK, DEFAULT visibility)
#    against the Eigen symbols every other object defines.
for o in "${itk_side[@]}"; do
  readelf -sW "$o" | awk '$5 ~ /GLOBAL|WEAK/ && $6 == "DEFAULT" && $7 != "UND" && $8 ~ /5Eigen/ { print $8 }'
done | sort -u > "$tmp/itk_visible"
for o in "${others[@]}"; do
  nm --defined-only "$o" 2>/dev/null | awk '$3 ~ /5Eigen/ { print $3 }'
done | sort -u > "$tmp/ours"
comm -12 "$tmp/itk_visible" "$tmp/ours" > "$tmp/both"
echo "Eigen symbols: $(wc -l < "$tmp/itk_visible") visible on the ITK side, $(wc -l < "$tmp/ours") defined by the others"
if [[ -s $tmp/both ]]; then
  echo "FAIL rule 3: $(wc -l < "$tmp/both") Eigen symbol(s) defined on both sides, e.g.:"
  head -n 5 "$tmp/both" | c++filt | cut -c1-200 | sed 's/^/  /'
  fail=1
fi

# 4. The shared library's exports.
lib=$(find "$bin" -name 'libnmitk.so' -print -quit)
if [[ -z $lib ]]; then
  echo "FAIL rule 4: libnmitk.so not built under $bin"
  fail=1
else
  exported=$(nm -D --defined-only "$lib" | awk '$3 ~ /5Eigen/' | wc -l)
  echo "libnmitk.so exports $(nm -D --defined-only "$lib" | wc -l) symbols, $exported of them Eigen's"
  if [[ $exported != 0 ]]; then
    echo "FAIL rule 4: libnmitk.so exports Eigen symbols:"
    nm -DC --defined-only "$lib" | grep 'Eigen::' | head -n 5 | cut -c1-200 | sed 's/^/  /'
    fail=1
  fi
fi

if [[ $fail == 0 ]]; then echo "OK: ITK's Eigen and the system Eigen never meet"; fi
exit $fail
