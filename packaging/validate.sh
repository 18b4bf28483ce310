#!/usr/bin/env bash
# Validates the desktop entry and the AppStream metadata with the freedesktop tools.
set -euo pipefail
dir="$1"
if ! command -v desktop-file-validate >/dev/null || ! command -v appstreamcli >/dev/null; then
  echo "skipped: desktop-file-validate / appstreamcli not installed (scripts/setup-deps.sh installs them)"
  exit 77
fi
desktop-file-validate "$dir/neuromosaic.desktop"
appstreamcli validate --no-net "$dir/org.neuromosaic.NeuroMosaic.metainfo.xml"
