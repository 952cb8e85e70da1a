#!/usr/bin/env -S node --max-semi-space-size=4
// The young generation's semi-spaces at 4 MB, not the 16 MB V8 grows them to under load: a
// server's requests allocate much that dies at once, so small semi-spaces collect as fast and
// keep about 45 MB less resident (BENCHMARKS.md, catalog search).
// The command's entry point. It is committed (the build writes dist/), so `npm ci` links
// node_modules/.bin/mapshelf on a fresh clone before the first build: npm links only bins
// whose file exists at install time.
import '../dist/bin.js';
