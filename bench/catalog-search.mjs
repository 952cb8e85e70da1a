#!/usr/bin/env node
// Benchmark: catalog search at scale. Seeds a catalog of N items (layers, tables and sets with
// realistic titles, descriptions, tags and extents) through the domain API, in this process with
// the server's own workers doing the imports. Then it serves that catalog from a second process
// and loads it over HTTP with C concurrent clients, alternating rounds of GET /health and of
// q + bbox + sort searches (A B A B ...), as a non-admin user who sees part of the catalog.
// Usage: node bench/catalog-search.mjs [--items 100000] [--layers 1500] [--tables 500]
//          [--clients 16] [--seconds 15] [--rounds 3] [--page-size 20] [--keep DIR]
// With --keep DIR, a catalog seeded there before is reused (seeding 100,000 items takes ~30 min).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { allScopes, resolveConfig, startServer, gdalInfo } from '../packages/server/dist/index.js';
import { createGroup, putMember } from '../packages/server/dist/domain/groups.js';
import { createUser } from '../packages/server/dist/domain/users.js';
import { createToken } from '../packages/server/dist/domain/tokens.js';
import { createSource, getSource } from '../packages/server/dist/domain/sources.js';
import { createLayer } from '../packages/server/dist/domain/layers.js';
import { createPublish } from '../packages/server/dist/domain/publishing.js';
import { createSet, publishSetVersion } from '../packages/server/dist/domain/sets.js';
import { putPermission } from '../packages/server/dist/domain/permissions.js';
import { freePort, median, parseArgs, rng, rssOf, sleep } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const totalItems = Number(args.items ?? 100_000);
const layerCount = Number(args.layers ?? 1500);
const tableCount = Number(args.tables ?? 500);
const clients = Number(args.clients ?? 16);
const seconds = Number(args.seconds ?? 15);
const rounds = Number(args.rounds ?? 3);
// A search page as a catalog UI shows it.
const pageSize = Number(args['page-size'] ?? 20);
const regionCount = 200;
const bin = new URL('../packages/cli/dist/bin.js', import.meta.url).pathname;
const dir = args.keep ?? mkdtempSync(join(tmpdir(), 'mapshelf-bench-catalog-'));
const adminSecret = 'bench-admin-token';

const random = rng(7);
const pick = (list) => list[Math.floor(random() * list.length)];
const pickSome = (list, n) => [...new Set(Array.from({ length: n }, () => pick(list)))];

const themes = ['Road centrelines', 'Building outlines', 'Rivers', 'Lakes', 'Land parcels', 'Contours', 'Coastline', 'Railway lines', 'Bus stops', 'School zones', 'Flood hazard areas', 'Soil types', 'Vegetation cover', 'Wetlands', 'Protected areas', 'Electoral boundaries', 'Census meshblocks', 'Street addresses', 'Bridges', 'Walking tracks', 'Cycle lanes', 'Water mains', 'Stormwater pipes', 'Earthquake faults', 'Landslide risk', 'Heritage sites', 'Airports', 'Ports', 'Hospitals', 'Fire stations'];
const places = ['Canterbury', 'Otago', 'Wellington', 'Auckland', 'Waikato', 'Tasman', 'Southland', 'Northland', 'Bavaria', 'Brittany', 'Tuscany', 'Catalonia', 'Ontario', 'Quebec', 'Queensland', 'Victoria', 'Patagonia', 'Andalusia', 'Lapland', 'Hokkaido', 'Kenya Rift', 'Cape Province', 'Yukon', 'Alaska', 'Iceland', 'Scotland', 'Wales', 'Normandy', 'Saxony', 'Tyrol'];
const qualifiers = ['Historic', 'Current', 'Draft', 'Official', 'Topographic', '1:50k', '1:250k', 'Surveyed', 'Modelled', 'Annual', 'Regional', 'National', 'Detailed', 'Generalised'];
const tagWords = ['transport', 'hydrology', 'cadastre', 'boundaries', 'hazards', 'environment', 'infrastructure', 'imagery', 'elevation', 'utilities', 'health', 'education', 'heritage', 'population', 'landcover', 'geology', 'coastal', 'urban', 'rural', 'marine'];
const categoryWords = ['transportation', 'inlandWaters', 'boundaries', 'environment', 'utilitiesCommunication', 'geoscientificInformation', 'society', 'structure', 'elevation', 'biota'];
const sentences = [
  'Captured from aerial imagery and checked against field survey.',
  'Updated quarterly by the regional council.',
  'Derived from the national topographic database at 1:50,000.',
  'Attributes follow the national data dictionary.',
  'Positional accuracy is within five metres in urban areas.',
  'Includes features maintained by local authorities.',
  'Suitable for planning and emergency management.',
  'Lineage and quality statements are in the metadata.',
];
const words = [...new Set([...themes, ...places, ...qualifiers].flatMap((t) => t.toLowerCase().split(/\W+/)).filter((w) => w.length > 3))];

const describe = () => `${pick(sentences)} ${pick(sentences)} Coverage: ${pick(places)}.`;
const title = () => `${pick(qualifiers)} ${pick(themes).toLowerCase()} — ${pick(places)}`;

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
/** Region boxes spread over the world, some large, most small, as real catalogs are. */
function regions() {
  return Array.from({ length: regionCount }, () => {
    const w = random() < 0.1 ? 5 + random() * 30 : 0.2 + random() * 4;
    const h = w * (0.5 + random());
    const minx = -180 + random() * (360 - w);
    const miny = -80 + random() * (155 - h);
    return [minx, miny, minx + w, miny + h];
  });
}

/** Writes one small GeoJSON per region and a few CSV tables into a staged upload folder. */
function writeSourceFiles(staged, boxes) {
  mkdirSync(staged, { recursive: true });
  boxes.forEach(([minx, miny, maxx, maxy], i) => {
    const features = Array.from({ length: 6 }, (_, j) => ({
      type: 'Feature',
      properties: { id: j, name: `${pick(themes)} ${j}`, value: Math.round(random() * 1000) },
      geometry: { type: 'Point', coordinates: j < 2 ? [j === 0 ? minx : maxx, j === 0 ? miny : maxy] : [minx + random() * (maxx - minx), miny + random() * (maxy - miny)] },
    }));
    writeFileSync(join(staged, `region${i}.geojson`), JSON.stringify({ type: 'FeatureCollection', features }));
  });
  for (let t = 0; t < 20; t++) {
    const rows = ['code,name,population,area_km2', ...Array.from({ length: 10 }, (_, r) => `${t}-${r},${pick(places)},${Math.floor(random() * 1e6)},${(random() * 1e4).toFixed(1)}`)];
    writeFileSync(join(staged, `table${t}.csv`), `${rows.join('\n')}\n`);
  }
}

async function waitUntil(what, check, timeoutMs = 3_600_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

const progress = (label, done, total) => process.stdout.isTTY && process.stdout.write(`\r  ${label}: ${done}/${total}   `);

async function seed() {
  const server = await startServer(resolveConfig({ port: 0, dataDir: dir, logLevel: 'warn', bootstrapToken: adminSecret }, {}));
  const ctx = server.app.domain;
  const adminRow = await ctx.store.users.findById(1);
  const admin = { kind: 'user', user: { id: adminRow.id, username: adminRow.username, isAdmin: true }, tokenId: null, scopes: allScopes };
  try {
    const groups = [];
    for (const name of ['Transport agency', 'Environment office', 'Land registry', 'City council']) groups.push((await createGroup(ctx, admin, { name })).group.id);
    const reader = (await createUser(ctx, admin, { username: 'reader' })).user.id;
    for (const g of groups.slice(0, 2)) await putMember(ctx, admin, g, { user: reader, role: 'viewer' });
    const readerToken = (await createToken(ctx, admin, { user: reader, name: 'bench', scope: 'catalog layers:read sets:read' })).key;

    const boxes = regions();
    const staged = join(dir, 'tmp', 'bench-upload');
    writeSourceFiles(staged, boxes);
    const source = await createSource(ctx, admin, { title: 'Bench regions', group: groups[0] }, { dir: staged });
    await waitUntil('the scan', async () => (await getSource(ctx, admin, source.source.id)).scans[0].status === 'completed');
    const datasources = (await getSource(ctx, admin, source.source.id)).datasources;
    const vectors = datasources.filter((d) => d.data_type === 'vector');
    const tables = datasources.filter((d) => d.data_type === 'table');

    const started = Date.now();
    const versions = [];
    const items = [];
    for (let i = 0; i < layerCount + tableCount; i++) {
      const type = i < layerCount ? 'layer' : 'table';
      const ds = type === 'layer' ? vectors[i % vectors.length] : tables[i % tables.length];
      const row = await createLayer(ctx, admin, type, {
        title: title(),
        group: groups[i % groups.length],
        description: describe(),
        tags: pickSome(tagWords, 3),
        categories: pickSome(categoryWords, 1),
        data: { datasources: [ds.id] },
      });
      versions.push(row.id);
      items.push({ item_type: type, item_id: row.layer_id, group: row.group_id });
      progress('layers and tables', i + 1, layerCount + tableCount);
    }
    const importing = { page: 1, pageSize: 1, sort: [], filters: [{ field: 'version.status', lookup: 'exact', values: ['queued', 'importing'] }] };
    await waitUntil('the imports', async () => {
      let left = 0;
      for (const type of ['layer', 'table']) left += (await ctx.store.layers.list(type, 'latest', importing, { all: true })).total;
      progress('imports left', left, layerCount + tableCount);
      return left === 0;
    });
    for (let i = 0; i < versions.length; i += 500) {
      await createPublish(ctx, admin, { items: versions.slice(i, i + 500).map((id) => ({ kind: 'version', id })), publish_strategy: 'together', error_strategy: 'ignore' });
    }
    const layersSeconds = (Date.now() - started) / 1000;

    const setStarted = Date.now();
    const setCount = totalItems - layerCount - tableCount;
    for (let i = 0; i < setCount; i++) {
      const group = groups[i % groups.length];
      const members = pickSome(items, 1 + Math.floor(random() * 4)).map(({ item_type, item_id }) => ({ item_type, item_id }));
      const set = await createSet(ctx, admin, { title: `${title()} collection`, group, description: describe(), tags: pickSome(tagWords, 3), categories: pickSome(categoryWords, 1), items: members });
      await publishSetVersion(ctx, admin, set.set_id, set.id);
      if (i % 10 === 0) await putPermission(ctx, admin, { kind: 'set', id: set.set_id, group_id: group }, { principal: 'group.everyone', level: 'view' }, 'set');
      if (i % 1000 === 0) progress('sets', i, setCount);
    }
    progress('sets', setCount, setCount);
    if (process.stdout.isTTY) process.stdout.write('\n');
    return { readerToken, layersSeconds, setsSeconds: (Date.now() - setStarted) / 1000 };
  } finally {
    await server.close();
  }
}

function searchUrl(base) {
  const [minx, miny, maxx, maxy] = (() => {
    const w = 2 + random() * 40;
    const h = 2 + random() * 30;
    const x = -180 + random() * (360 - w);
    const y = -80 + random() * (155 - h);
    return [x, y, x + w, y + h].map((n) => n.toFixed(3));
  })();
  const sort = pick(['', 'name', '-created_at', '-updated_at', '-popularity']);
  const params = new URLSearchParams({ q: pick(words), bbox: `${minx},${miny},${maxx},${maxy}`, page_size: String(pageSize) });
  if (sort) params.set('sort', sort);
  return `${base}/services/api/v1/data/?${params}`;
}

/** C clients, each sending one request after another for `seconds`; latencies in ms. */
async function load(makeUrl, token) {
  const latencies = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const t0 = performance.now();
        const res = await fetch(makeUrl(), { headers: { authorization: `key ${token}`, accept: 'application/json' } });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) errors++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { count: latencies.length, perSecond: latencies.length / seconds, median: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), errors };
}

async function main() {
  console.log(`Catalog search benchmark: ${totalItems} items (${layerCount} layers, ${tableCount} tables, the rest sets), ${clients} clients, ${rounds} rounds of ${seconds} s each`);
  console.log(`  data folder: ${dir}`);
  let seeded = { readerToken: null };
  const marker = join(dir, 'bench-seed.json');
  if (existsSync(marker)) seeded = JSON.parse(readFileSync(marker, 'utf8'));
  else {
    seeded = await seed();
    writeFileSync(marker, JSON.stringify(seeded));
    console.log(`  seeded: layers and tables in ${seeded.layersSeconds.toFixed(0)} s, sets in ${seeded.setsSeconds.toFixed(0)} s`);
  }

  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data-dir', dir, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(child.pid))), 50);
  try {
    await waitUntil('the server', async () => (await fetch(`${base}/health`).catch(() => null))?.ok === true, 60_000);
    const health = () => `${base}/health`;
    const search = () => searchUrl(base);
    const check = await (await fetch(search(), { headers: { authorization: `key ${seeded.readerToken}` } })).json();
    if (!Array.isArray(check)) throw new Error(`search failed: ${JSON.stringify(check)}`);
    const total = await fetch(`${base}/services/api/v1/data/?page_size=1`, { method: 'HEAD', headers: { authorization: `key ${seeded.readerToken}` } });
    console.log(`  the reader sees ${total.headers.get('x-resource-range')?.split('/')[1]} of ${totalItems} items`);
    await load(search, seeded.readerToken); // warm-up: page cache and JIT

    const results = { health: [], search: [] };
    for (let r = 0; r < rounds; r++) {
      results.health.push(await load(health, seeded.readerToken));
      results.search.push(await load(search, seeded.readerToken));
      const h = results.health.at(-1);
      const s = results.search.at(-1);
      console.log(`  round ${r + 1}: /health ${h.perSecond.toFixed(0)}/s (median ${h.median.toFixed(2)} ms) · search ${s.perSecond.toFixed(0)}/s (median ${s.median.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, errors ${s.errors})`);
    }
    const summary = {
      date: new Date().toISOString(),
      machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), gdal: gdalInfo().version },
      items: totalItems,
      clients,
      search: {
        medianMs: median(results.search.map((s) => s.median)),
        p99Ms: median(results.search.map((s) => s.p99)),
        perSecond: median(results.search.map((s) => s.perSecond)),
        errors: results.search.reduce((n, s) => n + s.errors, 0),
      },
      health: { perSecond: median(results.health.map((h) => h.perSecond)), medianMs: median(results.health.map((h) => h.median)) },
      peakServerRssMiB: Math.round(peakRss / 2 ** 20),
    };
    summary.throughputRatio = summary.search.perSecond / summary.health.perSecond;
    console.log('');
    console.log('| measure | value | target |');
    console.log('|---|---|---|');
    console.log(`| search median | ${summary.search.medianMs.toFixed(2)} ms | < 10 ms |`);
    console.log(`| search p99 | ${summary.search.p99Ms.toFixed(2)} ms | < 30 ms |`);
    console.log(`| search throughput | ${summary.search.perSecond.toFixed(0)}/s | |`);
    console.log(`| /health throughput | ${summary.health.perSecond.toFixed(0)}/s | |`);
    console.log(`| ratio search / health | ${summary.throughputRatio.toFixed(2)} | ≥ 0.40 |`);
    console.log(`| peak server RSS | ${summary.peakServerRssMiB} MB | |`);
    console.log(JSON.stringify(summary));
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
