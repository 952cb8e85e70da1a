// A catalog of N items (layers, tables and sets with realistic titles, descriptions, tags and
// extents), on SQLite in the data folder or in a PostgreSQL database. The layers and tables go
// through the domain API in this process, with the server's own workers doing the imports; the
// sets, nearly all the items, are made here (`setRows`) and bulk-loaded in SQL by the store's
// writer (catalog-seed-sqlite.mjs, catalog-seed-postgres.mjs): going through the domain costs
// about 15 ms a set (25 minutes for 100,000). A seeded folder is kept and reused when given
// (`--catalog DIR`): `bench-seed.json` in it marks it done and holds the reader's token.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allScopes, resolveConfig, startServer } from '../packages/server/dist/index.js';
import { createGroup, putMember } from '../packages/server/dist/domain/groups.js';
import { createUser } from '../packages/server/dist/domain/users.js';
import { createToken } from '../packages/server/dist/domain/tokens.js';
import { createSource, getSource } from '../packages/server/dist/domain/sources.js';
import { createLayer } from '../packages/server/dist/domain/layers.js';
import { createPublish } from '../packages/server/dist/domain/publishing.js';
import { postgresCatalog } from './catalog-seed-postgres.mjs';
import { sqliteCatalog } from './catalog-seed-sqlite.mjs';
import { rng, sleep } from './lib.mjs';

// Drawn from again from the start by every seeding (`seededCatalog`), so that SQLite and PostgreSQL in one run get the same catalog.
let random = rng(7);
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

/** Region boxes spread over the world, some large, most small, as real catalogs are. */
function regions(count) {
  return Array.from({ length: count }, () => {
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


/** Groups, the reader, and the layers and tables (really imported, then published), through the domain. */
async function seed(dir, database, catalog, token, { layers: layerCount, tables: tableCount }, log) {
  let lastLog = 0;
  const progress = (label, done, total) => {
    if (Date.now() - lastLog < 10_000 && done < total) return;
    lastLog = Date.now();
    log(`seeding ${label}: ${done}/${total}`);
  };
  const server = await startServer(resolveConfig({ port: 0, dataDir: dir, database, logLevel: 'warn', bootstrapToken: token }, {}));
  const ctx = server.app.domain;
  const adminRow = await ctx.store.users.findById(1);
  const admin = { kind: 'user', user: { id: adminRow.id, username: adminRow.username, isAdmin: true }, tokenId: null, scopes: allScopes, memberships: [] };
  try {
    const groups = [];
    for (const name of ['Transport agency', 'Environment office', 'Land registry', 'City council']) groups.push((await createGroup(ctx, admin, { name })).group.id);
    const reader = (await createUser(ctx, admin, { username: 'reader' })).user.id;
    for (const g of groups.slice(0, 2)) await putMember(ctx, admin, g, { user: reader, role: 'viewer' });
    const readerToken = (await createToken(ctx, admin, { user: reader, name: 'bench', scope: 'catalog layers:read sets:read' })).key;

    const boxes = regions(Math.min(200, layerCount));
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
    const importing = { offset: 0, limit: 1, sort: [], filters: [{ field: 'version_status', lookup: 'exact', values: ['queued', 'importing'] }] };
    await waitUntil('the imports', async () => {
      // `layer` lists tables too, as Koordinates' /layers/ does.
      const left = (await ctx.store.layers.list('layer', 'latest', importing, { all: true })).total;
      progress('imports left', left, layerCount + tableCount);
      return left === 0;
    });
    for (let i = 0; i < versions.length; i += 500) {
      await createPublish(ctx, admin, { items: versions.slice(i, i + 500).map((id) => ({ kind: 'version', id })), publish_strategy: 'together', error_strategy: 'ignore' });
    }
    const layersSeconds = (Date.now() - started) / 1000;

    await waitUntil('the publishing', async () => (await catalog.publishedLayerCount()) === layerCount + tableCount);
    return { readerToken, layersSeconds, groups, items: items.map(({ item_type, item_id }) => ({ item_type, item_id })), admin: adminRow.id };
  } finally {
    await server.close();
  }
}

/**
 * The sets, in batches of `size`, as the store writers take them: for each, the rows that
 * createSet, publishing and indexSet would write (a published first version of 1–4 of the
 * layers and tables, its catalog extent the union of theirs as published) and whether
 * group.everyone may view it (one in ten). The same on every store, given the same layers.
 */
function setRows(count, { groups, items, admin }) {
  // After the layers, a millisecond apart, as if made one after another.
  const start = Date.now();
  return function* rows(extents, size) {
    for (let from = 0; from < count; from += size) {
      const sets = [];
      for (let i = from; i < Math.min(count, from + size); i++) {
        const members = pickSome(items, 1 + Math.floor(random() * 4));
        const created = new Date(start + i).toISOString();
        const [title_, description, tags, categories] = [`${title()} collection`, describe(), JSON.stringify(pickSome(tagWords, 3)), JSON.stringify(pickSome(categoryWords, 1))];
        let box = null;
        for (const m of members) {
          const e = extents.get(`${m.item_type}:${m.item_id}`);
          if (e) box = box ? [Math.min(box[0], e[0]), Math.min(box[1], e[1]), Math.max(box[2], e[2]), Math.max(box[3], e[3])] : [...e];
        }
        // The uid as the sets repository gives it (repositories/uid.ts).
        const uid = randomBytes(16).toString('hex');
        sets.push({ uid, group: groups[i % groups.length], owner: admin, members, created, published: created, title: title_, description, tags, categories, box, everyone: i % 10 === 0 });
      }
      yield { sets, done: from + sets.length, total: count };
    }
  };
}

/** Words that titles are made of: what the search case looks for. */
export const searchWords = words;

/**
 * A seeded catalog of `sizes.items` items in `dir` (seeded now unless a marker says it was),
 * served by the same admin token; the reader's token, who sees part of it, and the database that
 * holds it: `newDatabase()`'s when seeded now (null for SQLite in `dir`).
 */
export async function seededCatalog(dir, newDatabase, token, sizes, log) {
  const marker = join(dir, 'bench-seed.json');
  if (existsSync(marker)) {
    log(`reusing the catalog seeded in ${dir}`);
    return JSON.parse(readFileSync(marker, 'utf8'));
  }
  mkdirSync(dir, { recursive: true });
  random = rng(7);
  const database = await newDatabase();
  log(`seeding ${sizes.items} items (${sizes.layers} layers, ${sizes.tables} tables, the rest sets) in ${dir}${database ? ` and ${database}` : ''}`);
  const catalog = database ? postgresCatalog(database) : sqliteCatalog(dir);
  const started = Date.now();
  const { readerToken, layersSeconds, groups, items, admin } = await seed(dir, database, catalog, token, sizes, log);
  const setsStarted = Date.now();
  await catalog.writeSets(setRows(sizes.items - sizes.layers - sizes.tables, { groups, items, admin }), log);
  const seeded = { readerToken, database, items: sizes.items, layersSeconds, setsSeconds: (Date.now() - setsStarted) / 1000, seconds: (Date.now() - started) / 1000 };
  log(`seeded in ${seeded.seconds.toFixed(0)} s (layers and tables ${layersSeconds.toFixed(0)} s, sets ${seeded.setsSeconds.toFixed(0)} s)`);
  writeFileSync(marker, JSON.stringify(seeded));
  return seeded;
}
