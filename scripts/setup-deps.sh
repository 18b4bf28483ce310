#!/usr/bin/env bash
# Install NeuroMosaic's build, test and run dependencies from Debian 12 packages only.
# Idempotent: packages already installed are skipped; nothing is downloaded from elsewhere.
# Works as root; otherwise uses sudo. Usage: scripts/setup-deps.sh [--bench] [--package] [--fuzz] [--quiet]
set -euo pipefail

with_bench=0
with_package=0
with_fuzz=0
quiet=0
for arg in "$@"; do
  case "$arg" in
    --bench) with_bench=1 ;;
    --package) with_package=1 ;;
    --fuzz) with_fuzz=1 ;;
    --quiet) quiet=1 ;;
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# //'; exit 0 ;;
    *) echo "setup-deps.sh: unknown option '$arg' (expected --bench, --package, --fuzz, --quiet)" >&2; exit 2 ;;
  esac
done

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache git file
  # GUI: Qt 6 (QOpenGLWidget lives in Qt6::OpenGLWidgets)
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-svg-dev qt6-qpa-plugins
  # validation dashboard charts
  qt6-charts-dev
  libgl-dev libglx-dev
  # VTK 9.1 (its Qt modules are Qt5-built; CMake never requests them)
  libvtk9-dev
  # science and formats
  libinsighttoolkit5-dev libeigen3-dev libhdf5-dev libgiftiio-dev libexpat1-dev libigraph-dev libspectra-dev liblbfgspp-dev
  libtbb-dev libopenblas-dev
  # artificial networks (core/ann): LibTorch, and Fashion-MNIST for its tasks
  libtorch-dev dataset-fashion-mnist
  nlohmann-json3-dev libcli11-dev zlib1g-dev libzip-dev
  libopenmpi-dev openmpi-bin
  # tests
  catch2 xvfb xauth libgl1-mesa-dri mesa-utils desktop-file-utils appstream
  # the Debian package: man pages from --help, cpack's dependency list
  help2man dpkg-dev fakeroot
  # default anatomy (MNI template, AAL, Harvard-Oxford)
  mricron-data
)
if [[ $with_bench == 1 ]]; then
  # peers run side by side in bench/
  packages+=(python3 python3-numpy python3-scipy python3-sklearn python3-pot python3-networkx
             python3-igraph python3-nibabel hyperfine time bc
             # the seRNN bench: the same model in PyTorch (the same LibTorch underneath)
             python3-torch
             # nilearn 0.10.1 from ../shared/peers needs these
             python3-pandas python3-joblib python3-lxml python3-requests python3-packaging)
fi

if [[ $with_package == 1 ]]; then
  packages+=(lintian)  # scripts/package.sh checks the .deb with it
fi
if [[ $with_fuzz == 1 ]]; then
  packages+=(clang-14 libclang-rt-14-dev)  # the fuzz preset: libFuzzer, ASan, UBSan (fuzz/README.md)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} == 0 ]]; then
  [[ $quiet == 1 ]] || echo "setup-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) != 0 ]]; then
  if command -v sudo >/dev/null; then sudo_cmd=(sudo); else
    echo "setup-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1
  fi
fi

echo "setup-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq || echo "setup-deps: apt-get update failed; trying the cached lists" >&2
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup-deps: done"
