#!/usr/bin/env bash
# The Debian package installs and runs: cpack builds it from BUILD_DIR, dpkg-deb -x unpacks it into
# a scratch root (no root rights, nothing touches the system), and the packaged programs run from
# there — `info`, `simulate --preset tiny`, a headless `render`, `--help` of the app — with only
# the scratch root's files (the build tree is not on any path). Then lintian, when installed,
# must report no error.   packaging/test_deb.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
command -v dpkg-deb >/dev/null || { echo "skipped: dpkg-deb not installed"; exit 77; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$build" && cpack -G DEB -B "$scratch/out" >/dev/null)
deb=$(ls "$scratch"/out/neuromosaic_*_amd64.deb)
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) kB)"
dpkg-deb -x "$deb" "$scratch/root"
for f in usr/bin/neuromosaic-cli usr/lib/neuromosaic/libnmitk.so usr/share/man/man1/neuromosaic-cli.1.gz usr/share/doc/neuromosaic/copyright \
         usr/share/doc/neuromosaic/changelog.gz; do
  [ -e "$scratch/root/$f" ] || { echo "missing from the package: /$f"; exit 1; }
done
cli=$scratch/root/usr/bin/neuromosaic-cli
# The binary finds its private library through its RUNPATH ($ORIGIN/../lib/neuromosaic), not the build tree.
if ldd "$cli" | grep -q "$build"; then echo "the packaged CLI loads libraries from the build tree:"; ldd "$cli" | grep "$build"; exit 1; fi
export NEUROMOSAIC_CACHE_DIR=$scratch/cache HOME=$scratch/home
mkdir -p "$HOME"
"$cli" info | head -3
"$cli" simulate --preset tiny --subjects 1 --out "$scratch/tiny" --progress none
bold=$(find "$scratch/tiny" -name '*_bold.nii.gz' | head -1)
[ -n "$bold" ] || { echo "simulate wrote no BOLD run"; exit 1; }
"$cli" glm "$bold" --contrast "$(awk -F'\t' 'NR==2 {print $3}' "${bold%_bold.nii.gz}_events.tsv")" -o "$scratch/z.nii.gz" --progress none >/dev/null
"$cli" render --overlay "$scratch/z.nii.gz" --out "$scratch/figure.png" --progress none >/dev/null
[ -s "$scratch/figure.png" ] || { echo "render wrote no figure"; exit 1; }
echo "render: $(du -k "$scratch/figure.png" | cut -f1) kB figure"
if [ -x "$scratch/root/usr/bin/neuromosaic" ]; then
  QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=$scratch "$scratch/root/usr/bin/neuromosaic" --version
fi
if command -v lintian >/dev/null; then
  out=$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v "running with root privileges" || true)
  echo "lintian:"; echo "${out:-  (nothing)}" | sed 's/^/  /'
  if grep -q '^E:' <<< "$out"; then echo "lintian reports errors"; exit 1; fi
fi
echo "the package installs and runs"
