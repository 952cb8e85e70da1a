#!/usr/bin/env node
// The command's entry point. It is committed (the build writes dist/), so `npm ci` links
// node_modules/.bin/mapshelf on a fresh clone before the first build: npm links only bins
// whose file exists at install time.
import '../dist/bin.js';
