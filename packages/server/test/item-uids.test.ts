/**
 * Items' public `uid`s (users, groups, sources, layers, sets, documents): 32 random lowercase hex
 * characters beside the integer id, given on insert, kept by edits, unique; migration 0012 gives
 * rows that existed before it their own. The Data API never shows them (its bodies are Koordinates').
 *
 * Items are made over HTTP against a real server (a GeoJSON written here, scanned and imported by
 * GDAL); the uids are read back from its SQLite file, and through the store's domain objects.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { Store } from '../src/index.js';
import { queryCatalog } from './helpers/test-database.js';
import { migrationProvider } from '../src/store/sqlite/migrations/index.js';
import { importedLayer, uploadDatasources } from './helpers/published-layers.js';
import { adminToken, startTestServer, type TestServer } from './helpers/server.js';

const uidPattern = /^[0-9a-f]{32}$/;
const itemTables = ['users', 'groups', 'sources', 'layers', 'sets', 'documents'] as const;

/** Every key anywhere in a JSON body. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  return [];
}

describe('item uids', () => {
  let server: TestServer;
  let dir: string;
  const urls: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mapshelf-uids-'));
    server = await startTestServer();
    const group = await server.request('POST', 'groups/', { body: { name: 'Surveyors' } });
    assert.equal(group.status, 201, group.text);
    const user = await server.request('POST', 'users/', { body: { username: 'ana' } });
    assert.equal(user.status, 201, user.text);

    const points = join(dir, 'wells.geojson');
    writeFileSync(
      points,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [1, 2, 3].map((n) => ({ type: 'Feature', properties: { name: `well ${n}` }, geometry: { type: 'Point', coordinates: [170 + n / 10, -43] } })),
      }),
    );
    const [datasource] = await uploadDatasources(server, 'Wells', points);
    const layer = await importedLayer(server, 'layers', { title: 'Wells', data: { datasources: [datasource!.id] } });
    const set = await server.request('POST', 'sets/', { body: { title: 'Groundwater', items: [layer.url] } });
    assert.equal(set.status, 201, set.text);

    const form = new FormData();
    form.append('document', JSON.stringify({ title: 'Field notes' }));
    form.append('file0', new Blob([new TextEncoder().encode('Wells checked in March.\n')]), 'notes.txt');
    const document = await fetch(`${server.api}documents/`, { method: 'POST', headers: { authorization: `key ${adminToken}` }, body: form });
    const documentText = await document.text();
    assert.equal(document.status, 201, documentText);
    const documentUrl = (JSON.parse(documentText) as { url: string }).url;

    const sources = await server.request('GET', 'sources/');
    urls.push(group.body.url, user.body.url, sources.body[0].url, layer.url, set.body.url, documentUrl);
  });

  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every new item a distinct 32-hex uid, and its edits keep it', async () => {
    const read = async () =>
      Object.fromEntries(await Promise.all(itemTables.map(async (table) => [table, await queryCatalog<{ id: number; uid: string }>(server, `select id, uid from ${table} order by id`)] as const)));
    const before = await read();
    const all = Object.values(before).flat();
    for (const table of itemTables) assert.ok(before[table]!.length > 0, `a row in ${table}`);
    for (const row of all) assert.match(row.uid, uidPattern);
    assert.equal(new Set(all.map((r) => r.uid)).size, all.length, 'uids are unique across items');

    const layerId = before.layers![0]!.id;
    const draft = (await server.request('GET', `layers/${layerId}/`)).body.version.id as number;
    const edited = await server.request('PUT', `layers/${layerId}/versions/${draft}/`, { body: { title: 'Wells (checked)', tags: ['water'] } });
    assert.equal(edited.status, 200, edited.text);
    const renamed = await server.request('PATCH', urls[0]!, { body: { name: 'Hydrologists' } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual(await read(), before);
  });

  it('carries the uid on the domain objects the store hands back', async () => {
    const [layer] = await queryCatalog<{ id: number; uid: string }>(server, 'select id, uid from layers');
    const [set] = await queryCatalog<{ id: number; uid: string }>(server, 'select id, uid from sets');
    assert.ok(layer && set);
    const store = server.running.store;
    assert.equal((await store.layers.findLayer(layer.id))?.uid, layer.uid);
    const latest = (await store.layers.latestVersion(layer.id))!;
    assert.equal((await store.layers.findLayerVersion(latest.id))?.layer_uid, layer.uid);
    assert.equal((await store.sets.findSet(set.id))?.uid, set.uid);
  });

  it('keeps uids off the Data API', async () => {
    for (const url of urls) {
      const res = await server.request('GET', url);
      assert.equal(res.status, 200, `${url}: ${res.text}`);
      assert.ok(!keysOf(res.body).includes('uid'), `${url} shows no uid`);
    }
  });
});

it('gives rows made before migration 0012 uids of their own', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mapshelf-uids-migration-'));
  try {
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new SQLite(join(dataDir, 'catalog.sqlite')) }) });
    const migrated = await new Migrator({ db, provider: migrationProvider }).migrateTo('0009-catalog-text-values');
    assert.equal(migrated.error, undefined);
    const at = new Date().toISOString();
    await db
      .insertInto('users')
      .values(['kiri', 'mere', 'tama'].map((username, i) => ({ username, first_name: '', last_name: '', is_admin: i === 0 ? 1 : 0, is_active: 1, created_at: at, updated_at: at })))
      .execute();
    await db.insertInto('groups').values({ name: 'Old group', description: '', created_at: at, updated_at: at }).execute();
    await db.destroy();

    const store = await Store.open(dataDir);
    try {
      const health = await store.health();
      assert.equal(health.migration, health.latestMigration);
      const users = await Promise.all([1, 2, 3].map(async (id) => (await store.users.findById(id))!));
      for (const user of users) assert.match(user.uid, uidPattern);
      assert.equal(new Set(users.map((u) => u.uid)).size, 3);
      assert.deepEqual(users.map((u) => u.is_admin), [true, false, false], 'booleans come back decoded');
      assert.match((await store.groups.findByName('Old group'))!.uid, uidPattern);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
