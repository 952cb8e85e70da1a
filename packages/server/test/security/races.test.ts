/**
 * Races over real HTTP: the same request sent many times at once, and a request that meets a
 * background job halfway. Each test asserts what the API promises: one winner and clean 4xx
 * answers for the rest (never a 500), and final states that agree with the files on disk.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { queryCatalog } from '../helpers/test-database.js';
import { after, before, it } from 'node:test';
import { publishedLayer, uploadDatasources, writePointGrid, datasourceFor } from '../helpers/published-layers.js';
import { startTestServer, type ApiResponse, type TestServer } from '../helpers/server.js';

let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'mapshelf-races-'));
let datasourceId = 0;
let bigDatasourceId = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  server = await startTestServer({ exportConcurrency: 4 });
  const small = join(dir, 'small');
  const big = join(dir, 'big');
  mkdirSync(small);
  mkdirSync(big);
  datasourceId = datasourceFor(await uploadDatasources(server, 'Grid', writePointGrid(small)), 'grid').id;
  // 100,000 points: an export of them runs long enough to be met halfway.
  bigDatasourceId = datasourceFor(await uploadDatasources(server, 'Big grid', writePointGrid(big, { columns: 400, rows: 250, step: [0.02, 0.04] })), 'grid').id;
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends `n` copies of a request at once. */
function all(n: number, send: () => Promise<ApiResponse>): Promise<ApiResponse[]> {
  return Promise.all(Array.from({ length: n }, send));
}

function statuses(responses: ApiResponse[]): number[] {
  return responses.map((r) => r.status).sort();
}

function assertNo500(responses: ApiResponse[]): void {
  for (const r of responses) assert.ok(r.status < 500, `no 5xx: ${r.status} ${r.text}`);
}

/** Files under a folder of the data folder, relative to it. */
function filesUnder(folder: string): string[] {
  const root = join(server.dataDir, folder);
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => relative(server.dataDir, path));
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
}

/** The catalog, read beside the running server. */
function catalog<T>(query: string, ...params: unknown[]): Promise<T[]> {
  return queryCatalog<T>(server, query, params);
}

it('publishing one version many times at once: one publish request wins, the others are 409s', async () => {
  const created = await server.request('POST', 'layers/', { body: { title: 'Publish race', data: { datasources: [datasourceId] } } });
  assert.equal(created.status, 201, created.text);
  const versionUrl: string = created.body.version.url;
  await waitFor(async () => (await server.request('GET', versionUrl)).body.version.status, (s) => s === 'ok');
  const responses = await all(8, () => server.request('POST', `${versionUrl}publish/`, { body: {} }));
  assertNo500(responses);
  assert.deepEqual(statuses(responses), [201, 409, 409, 409, 409, 409, 409, 409], responses.map((r) => `${r.status} ${r.text}`).join('\n'));
  const winner = responses.find((r) => r.status === 201)!;
  const state = await waitFor(async () => (await server.request('GET', winner.body.url)).body.state as string, (s) => s !== 'pending' && s !== 'publishing');
  assert.equal(state, 'completed');
  const layer = await server.request('GET', created.body.url);
  assert.equal(layer.body.version.id, created.body.version.id, 'the version is the published one');
  const requests = await catalog<{ n: number }>(`select count(*) as n from publish_items where version_id = ?`, created.body.version.id);
  assert.equal(requests[0]!.n, 1, 'one publish request names the version');
});

it('creating a draft of one layer many times at once: exactly one draft', async () => {
  const layer = await publishedLayer(server, 'layers', { title: 'Draft race', data: { datasources: [datasourceId] } });
  const responses = await all(8, () => server.request('POST', `layers/${layer.id}/versions/`));
  assertNo500(responses);
  assert.deepEqual(statuses(responses), [201, 409, 409, 409, 409, 409, 409, 409], responses.map((r) => `${r.status} ${r.text}`).join('\n'));
  const versions = await server.request('GET', `layers/${layer.id}/versions/`);
  assert.equal(versions.status, 200);
  assert.equal(versions.body.length, 2, 'the published version and one draft');
  const draft = await server.request('GET', `layers/${layer.id}/versions/draft/`);
  assert.equal(draft.status, 200);
  assert.equal(draft.body.version.id, responses.find((r) => r.status === 201)!.body.version.id);
});

it('cancelling an export as it completes: it ends cancelled without files, or complete with its file', async () => {
  const layer = await publishedLayer(server, 'layers', { title: 'Cancel race', data: { datasources: [datasourceId] } });
  const seen = new Set<string>();
  // Cancels sent at a spread of moments, from at once to after the small export has finished
  // (the last one waits for that, however long a loaded machine takes).
  for (const delay of [0, 0, 5, 10, 20, 40, 60, 80, 120, 160, 250, 400, 'finished'] as const) {
    const created = await server.request('POST', 'exports/', { body: { crs: 'EPSG:4326', formats: { vector: 'application/x-ogc-gpkg' }, items: [{ item: layer.url }] } });
    assert.equal(created.status, 202, created.text);
    if (delay === 'finished') await waitFor(async () => (await server.request('GET', `exports/${created.body.id}/`)).body, (e) => e.state !== 'processing');
    else await sleep(delay);
    const cancel = await server.request('DELETE', `exports/${created.body.id}/`);
    assert.ok(cancel.status === 202 || cancel.status === 409, `cancel: ${cancel.status} ${cancel.text}`);
    const final = await waitFor(async () => (await server.request('GET', `exports/${created.body.id}/`)).body, (e) => e.state !== 'processing');
    const files = filesUnder(`exports/${created.body.id}`);
    if (cancel.status === 202) {
      assert.equal(final.state, 'cancelled', JSON.stringify(final));
      assert.deepEqual(files, [], 'a cancelled export leaves no file');
    } else {
      assert.equal(final.state, 'complete', `a refused cancel means it completed: ${JSON.stringify(final)}`);
      assert.equal(files.length, 1, 'a complete export has its zip');
      const download = await server.request('GET', `exports/${created.body.id}/download/`);
      assert.equal(download.status, 200);
    }
    seen.add(final.state);
    // Still the same a moment later: the job did not settle it again behind the cancel's back.
    await sleep(100);
    const later = await server.request('GET', `exports/${created.body.id}/`);
    assert.equal(later.body.state, final.state);
    assert.deepEqual(filesUnder(`exports/${created.body.id}`), files);
  }
  assert.ok(seen.has('cancelled') && seen.has('complete'), `the spread of delays met both outcomes: ${[...seen]}`);
  assert.deepEqual(await catalog(`select id, status from jobs where kind = 'export' and status in ('queued', 'running')`), []);
  assert.deepEqual(filesUnder('tmp').filter((f) => f.includes('export-')), [], 'no export scratch is left');
});

it('deleting a layer while it is being exported: the export ends in error, with no file to download and nothing left behind', async () => {
  const layer = await publishedLayer(server, 'layers', { title: 'Delete race', data: { datasources: [bigDatasourceId] } });
  const created = await server.request('POST', 'exports/', {
    body: { crs: 'EPSG:2193', formats: { vector: 'application/gml+xml' }, items: [{ item: layer.url }] },
  });
  assert.equal(created.status, 202, created.text);
  // Delete once the job has started writing.
  await waitFor(async () => filesUnder('tmp').filter((f) => f.startsWith(`tmp/export-${created.body.id}-`)), (files) => files.length > 0, 30_000);
  const deleted = await server.request('DELETE', `layers/${layer.id}/`);
  assert.equal(deleted.status, 204, deleted.text);
  const final = await waitFor(async () => (await server.request('GET', `exports/${created.body.id}/`)).body, (e) => e.state !== 'processing', 120_000);
  // The data was deleted: it must not stay downloadable through an export that was running.
  assert.equal(final.state, 'error', JSON.stringify(final));
  assert.match(final.error, /was deleted while it was being exported/);
  assert.ok(!final.error.includes(server.dataDir), `the error names no server path: ${final.error}`);
  assert.deepEqual(filesUnder(`exports/${created.body.id}`), [], 'a failed export leaves no file');
  assert.equal((await server.request('GET', `exports/${created.body.id}/download/`)).status >= 400, true);
  assert.equal((await server.request('GET', `layers/${layer.id}/`)).status, 404);
  assert.deepEqual(filesUnder(`layers/${layer.id}`), [], 'the layer\'s files are gone');
  assert.deepEqual(filesUnder('tmp').filter((f) => f.includes(`export-${created.body.id}-`)), [], 'no scratch is left');
  assert.deepEqual(await catalog(`select id, status from jobs where kind = 'export' and status in ('queued', 'running')`), []);
});
