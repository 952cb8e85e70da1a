#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4 --heap-growing-percent=25
// 4 MB young-generation semi-spaces (V8 grows them to 16 MB under load), the old generation
// collected once it grows 25% past what survived, and two malloc arenas: a server's requests
// make garbage that dies young, and these keep it about 50 MB less resident at the same
// throughput (BENCHMARKS.md, catalog search, 2026-12-03).
// The command's entry point. It is committed (the build writes dist/), so `npm ci` links
// node_modules/.bin/mapshelf on a fresh clone before the first build: npm links only bins
// whose file exists at install time.
import '../dist/bin.js';
