#!/usr/bin/env bash
# Installs what is missing, builds the Release configuration and starts NeuroMosaic.
#   ./scripts/run.sh [FILES...]       start the GUI: the files, else the last session, else the
#                                     demo atlas (built on first start as background jobs, cached)
#   ./scripts/run.sh --headless       no window: wait for the demo atlas (building it if needed),
#                                     render the start view to a PNG under Xvfb and print its path
#                                     (also the default without a display)
set -euo pipefail
cd "$(dirname "$0")/.."

headless=0
args=()
for a in "$@"; do
  case "$a" in
    --headless) headless=1 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# //'; exit 0 ;;
    *) args+=("$a") ;;
  esac
done
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then headless=1; fi

./scripts/setup-deps.sh --quiet >&2
cmake --preset release > /dev/null
cmake --build --preset release -j "$(nproc)" --target neuromosaic neuromosaic-cli >&2
bin=build/release/bin

if [[ $headless == 1 ]]; then
  if [[ -z "${XDG_RUNTIME_DIR:-}" ]]; then export XDG_RUNTIME_DIR=$(mktemp -d); fi
  out="$PWD/build/release/screenshots/start-view.png"
  mkdir -p "$(dirname "$out")"
  # The GUI prints the PNG's path on stdout once the start view is on screen.
  # The demo atlas takes a few minutes to build on first start; then it comes from the cache.
  exec xvfb-run -a -s "-screen 0 1920x1080x24 -noreset" "$bin/neuromosaic" --demo --timeout 1800 --screenshot "$out" "${args[@]}"
fi
exec "$bin/neuromosaic" --demo "${args[@]}"
