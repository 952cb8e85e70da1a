#!/usr/bin/env node
// Benchmark: iterating every catalog item with the SDK's `for await` vs a hand-written fetch loop
// over the same pages (Link rel="page-next"), alternately (A B A B ...), against a server on a
// catalog seeded by catalog-search.mjs (`--keep DIR`), as its admin (every item) or its reader.
// Usage: node bench/sdk-iteration.mjs --keep DIR [--runs 3] [--page-size 100] [--as admin|reader]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../packages/sdk/dist/index.js';
import { freePort, median, parseArgs, sleep } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const runs = Number(args.runs ?? 3);
const pageSize = Number(args['page-size'] ?? 100);
const dir = args.keep;
if (!dir || !existsSync(join(dir, 'bench-seed.json'))) {
  console.error('Give --keep DIR with a catalog seeded by bench/catalog-search.mjs --keep DIR.');
  process.exit(2);
}
// catalog-search.mjs seeds with this admin token, and records the reader's.
const token = (args.as ?? 'admin') === 'admin' ? 'bench-admin-token' : JSON.parse(readFileSync(join(dir, 'bench-seed.json'), 'utf8')).readerToken;
const bin = new URL('../packages/cli/dist/bin.js', import.meta.url).pathname;

/** The plain loop a user would write: fetch, parse, follow the next link. */
async function fetchLoop(base) {
  let url = `${base}/services/api/v1/data/?page_size=${pageSize}`;
  let count = 0;
  while (url) {
    const res = await fetch(url, { headers: { authorization: `key ${token}`, accept: 'application/json' } });
    count += (await res.json()).length;
    url = /<([^>]+)>;\s*rel="page-next"/.exec(res.headers.get('link') ?? '')?.[1];
  }
  return count;
}

async function sdkLoop(base) {
  const client = new Client({ baseUrl: base, token });
  let count = 0;
  for await (const _item of client.catalog.list().pageSize(pageSize)) count++;
  return count;
}

const port = await freePort();
const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data-dir', dir, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
const base = `http://127.0.0.1:${port}`;
try {
  for (let i = 0; i < 600 && !(await fetch(`${base}/health`).then((r) => r.ok, () => false)); i++) await sleep(100);
  await fetchLoop(base); // warm-up: page cache and JIT on both sides
  const times = { sdk: [], fetch: [] };
  let items = 0;
  for (let run = 0; run < runs; run++) {
    for (const [label, loop] of [['sdk', sdkLoop], ['fetch', fetchLoop]]) {
      const t = performance.now();
      const n = await loop(base);
      times[label].push((performance.now() - t) / 1000);
      if (items && n !== items) throw new Error(`${label} saw ${n} items, the other ${items}`);
      items = n;
    }
  }
  const s = median(times.sdk);
  const f = median(times.fetch);
  console.log(JSON.stringify({ date: new Date().toISOString(), items, pageSize, runs, sdk_s: times.sdk.map((x) => +x.toFixed(2)), fetch_s: times.fetch.map((x) => +x.toFixed(2)), median_sdk_s: +s.toFixed(2), median_fetch_s: +f.toFixed(2), ratio: +(s / f).toFixed(3) }, null, 2));
} finally {
  child.kill('SIGTERM');
}
