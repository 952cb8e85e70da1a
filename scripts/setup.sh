#!/usr/bin/env bash
# Installs everything Mapshelf needs on Debian/Ubuntu, then builds it. Idempotent: quick when
# nothing changed. Used by `npm start`, `npm test` and CI; `--tests` adds what only the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  say "Mapshelf needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))."
  exit 1
fi

# System packages: GDAL (formats, PROJ, GEOS) and its headers for gdal-async, a C++ toolchain for
# the native modules, OpenSSL and Python 3 for node-gyp and the interoperability tests, zip and
# unzip for the tests and benchmarks; with --tests, Chromium for the SDK's browser test, tmux for
# the CLI's terminal test, strace for the test that watches which files GDAL opens, and
# PostgreSQL 15 with PostGIS 3, which the suite's second run starts as a throwaway cluster, and
# sudo, which the README's PostgreSQL section (run as printed by its test) uses.
packages=(gdal-bin libgdal-dev g++ make python3 python3-requests openssl libxml2-utils zip unzip)
[ "${1:-}" = "--tests" ] && packages+=(chromium tmux strace postgresql-15 postgresql-15-postgis-3 sudo)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
fi
# With --tests, an installed PostgreSQL older than apt offers is brought up to it as well: the
# README's PostgreSQL section, which its test runs as printed in the middle of the suite, installs
# the same packages, and upgrading them then would swap the libraries under the suite's running
# cluster.
if [ "${1:-}" = "--tests" ]; then
  for p in postgresql-15 postgresql-15-postgis-3; do
    policy="$(apt-cache policy "$p")"
    installed="$(awk '/Installed:/ {print $2}' <<<"$policy")"
    candidate="$(awk '/Candidate:/ {print $2}' <<<"$policy")"
    if [ "$installed" != "(none)" ] && [ "$installed" != "$candidate" ]; then
      say "upgrading $p from $installed to $candidate"
      missing+=("$p")
    fi
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages. Native modules build from source against the system GDAL: prebuilt downloads
# are not reachable offline, and a bundled GDAL would ignore Debian's drivers and PROJ data.
stamp=node_modules/.mapshelf-install-stamp
want="$(sha256sum package-lock.json | cut -c1-64) node-$(node --version)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing npm packages (native modules compile: about 3-5 minutes the first time)"
  npm_config_build_from_source=true npm_config_shared_gdal=true npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
node -e "if (require('gdal-async').bundled !== false) { console.error('gdal-async is not linked to the system GDAL'); process.exit(1) }"

say "building"
npx tsc -b
