#!/usr/bin/env bash
# Builds the Debian package for any x86-64-v2 machine: the portable preset (no host-specific
# instructions), cpack -G DEB (dependencies from dpkg-shlibdeps), then lintian and the install test
# (packaging/test_deb.sh). Needs scripts/setup-deps.sh --package (lintian, help2man).
#   scripts/package.sh            → build/portable/neuromosaic_<version>_amd64.deb
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset portable
cmake --build --preset portable -j "$(nproc)"
(cd build/portable && cpack -G DEB)
deb=$(ls build/portable/neuromosaic_*_amd64.deb)
echo "== $deb"
dpkg-deb -I "$deb" | sed -n '/Depends/p'
if command -v lintian >/dev/null; then lintian --tag-display-limit 0 "$deb" || true; fi
packaging/test_deb.sh build/portable
