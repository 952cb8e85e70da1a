#!/usr/bin/env bash
# `npm start`: installs and builds what is missing, then becomes the server. package.json runs
# it with `exec` and it ends with `exec`, so npm's own child is the server: the SIGTERM npm passes
# on, or a Ctrl-C, reaches it and it stops cleanly (a shell in between would die and leave the
# server running). Flags go to `serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Run by its own #! line, as `npx mapshelf` runs it, with the Node flags that line gives.
exec packages/cli/bin/mapshelf.js serve "$@"
