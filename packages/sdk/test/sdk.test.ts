/**
 * The TypeScript SDK (`@mapshelf/sdk`), imported from source, against a real Mapshelf server
 * started in this process with real GDAL: lazy list queries (paging, filters, ordering, expand,
 * counting), the layer lifecycle, error classes, exports end to end (formats, validation,
 * waiting, downloads into a folder, a file, streams, and resumed downloads), and crop layers.
 * Retries and client options run against a fake `fetch`, with no server.
 *
 * Data: a 25 x 20 grid of 500 points over New Zealand (and 60- and 20-point subsets), New
 * Zealand and Australia cut from the packaged world-atlas countries-110m with ogr2ogr, and a
 * 20-row CSV table. Expected counts come from ogr2ogr/ogrinfo run here on the uploaded files.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  APIConnectionError,
  APITimeoutError,
  AuthenticationError,
  BadRequest,
  Client,
  DownloadError,
  Export,
  ExportJob,
  InternalServerError,
  ServiceUnavailable,
  ClientValidationError,
  InvalidTokenScope,
  Layer,
  LayerData,
  MapshelfError,
  NotAllowed,
  NotFound,
  Forbidden,
  Query,
  RateLimitExceeded,
  type CatalogItem,
  type CropFeature,
} from '../src/index.js';
import { adminToken, createUserWithToken, startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { datasourceFor, ogr2ogr, publishedLayer, uploadDatasources, writePointGrid, type Datasource, type PublishedLayer } from '../../server/test/helpers/published-layers.js';
import { packagedData } from '../../server/test/helpers/uploads.js';

const gpkg = 'application/x-ogc-gpkg';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request the SDK made, as its `fetch` saw it. */
interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** The global fetch, recording every call into `calls`. */
function recordingFetch(calls: Call[]): typeof fetch {
  return async (input, init) => {
    calls.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: { ...((init?.headers ?? {}) as Record<string, string>) },
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    return fetch(input, init);
  };
}

/** A fake fetch answering from a script: each entry a Response (made fresh per call) or an error to reject with. */
function scriptedFetch(script: Array<(() => Response) | Error>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fake: typeof fetch = async (input, init) => {
    calls.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: { ...((init?.headers ?? {}) as Record<string, string>) },
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    const step = script[Math.min(calls.length - 1, script.length - 1)];
    assert.ok(step, 'the script has a step');
    if (step instanceof Error) throw step;
    return step();
  };
  return { fetch: fake, calls };
}

const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** The path and query of a URL, for short assertions. */
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/** `ogrinfo -ro -so -al`'s feature count of the one layer at `path`. */
function featureCount(path: string): number {
  const out = execFileSync('ogrinfo', ['-ro', '-so', '-al', path], { encoding: 'utf8' });
  const counts = [...out.matchAll(/^Feature Count: (\d+)$/gm)].map((m) => Number(m[1]));
  assert.equal(counts.length, 1, `one layer in ${path}:\n${out}`);
  return counts[0]!;
}

describe('sdk against a server', () => {
  let server: TestServer;
  let work: string;
  let client: Client;
  let pointsGpkg: string;
  let countriesGpkg: string;
  let pointSources: Datasource[];
  let points: PublishedLayer; // "NZ Points": 500 points
  let countries: PublishedLayer; // "Tasman Countries": New Zealand and Australia, CC BY 4.0
  let table: PublishedLayer; // "Station Readings": 20 rows
  let layers: PublishedLayer[]; // every published layer (not the table)
  /** What layers/ lists: the layers and, as in Koordinates' Layers & Tables API, the table. */
  let layersAndTables: PublishedLayer[];
  let startedAt: Date;

  /** A client whose requests are recorded into `calls`. */
  const recordedClient = (calls: Call[], token: string | undefined = adminToken) =>
    new Client({ baseUrl: server.url, ...(token !== undefined && { token }), fetch: recordingFetch(calls) });

  /** The ids a raw GET of a list answers, and its X-Resource-Range total. */
  const rawList = async (path: string): Promise<{ ids: number[]; total: number }> => {
    const res = await server.request('GET', path);
    assert.equal(res.status, 200, res.text);
    const total = /\/(\d+)$/.exec(res.headers.get('x-resource-range') ?? '')?.[1];
    assert.ok(total !== undefined, `X-Resource-Range on ${path}`);
    return { ids: (res.body as Array<{ id: number }>).map((r) => r.id), total: Number(total) };
  };

  before(async () => {
    startedAt = new Date(Date.now() - 1000);
    work = mkdtempSync(join(tmpdir(), 'mapshelf-sdk-'));

    pointsGpkg = writePointGrid(work, { subsets: [60, 20] });

    countriesGpkg = join(work, 'countries.gpkg');
    ogr2ogr([
      '-f', 'GPKG', '-a_srs', 'EPSG:4326', '-nlt', 'MULTIPOLYGON', '-where', "name IN ('New Zealand', 'Australia')",
      '-nln', 'countries', countriesGpkg, packagedData('world-atlas/countries-110m.json'), 'countries',
    ]);

    const rows = ['station,reading,quality'];
    for (let i = 1; i <= 20; i++) rows.push(`ST${String(i).padStart(4, '0')},${(i * 0.37).toFixed(2)},${i % 3 === 0 ? 'good' : 'fair'}`);
    const tableCsv = join(work, 'readings.csv');
    writeFileSync(tableCsv, `${rows.join('\n')}\n`);

    server = await startTestServer();
    client = new Client({ baseUrl: server.url, token: adminToken });

    const licenses = await server.request('GET', 'licenses/?page_size=100');
    const ccBy = (licenses.body as Array<{ id: number; type: string; version: string }>).find((l) => l.type === 'cc-by' && l.version === '4.0');
    assert.ok(ccBy, `a seeded cc-by 4.0 licence in ${licenses.text}`);

    let countrySources: Datasource[];
    let tableSources: Datasource[];
    [pointSources, countrySources, tableSources] = await Promise.all([
      uploadDatasources(server, 'Point grids', pointsGpkg),
      uploadDatasources(server, 'Countries', countriesGpkg),
      uploadDatasources(server, 'Readings', tableCsv),
    ]);
    const ds = (id: number) => ({ datasources: [id] });
    let sixty: PublishedLayer;
    let twentyA: PublishedLayer;
    let twentyB: PublishedLayer;
    // One after another, so created_at orders them.
    points = await publishedLayer(server, 'layers', { title: 'NZ Points', data: ds(datasourceFor(pointSources, 'grid').id) });
    countries = await publishedLayer(server, 'layers', { title: 'Tasman Countries', license: ccBy.id, data: ds(datasourceFor(countrySources, 'countries').id) });
    sixty = await publishedLayer(server, 'layers', { title: 'Sixty Points', data: ds(datasourceFor(pointSources, 'grid_60').id) });
    twentyA = await publishedLayer(server, 'layers', { title: 'Twenty Points A', data: ds(datasourceFor(pointSources, 'grid_20').id) });
    twentyB = await publishedLayer(server, 'layers', { title: 'Twenty Points B', data: ds(datasourceFor(pointSources, 'grid_20').id) });
    table = await publishedLayer(server, 'tables', { title: 'Station Readings', data: ds(tableSources[0]!.id) });
    layers = [points, countries, sixty, twentyA, twentyB];
    layersAndTables = [...layers, table];
    assert.equal(points.data.feature_count, 500);
    assert.equal(countries.data.feature_count, 2);
    assert.equal(table.data.feature_count, 20);
  });

  after(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('pages through a list with for await, fetching only the pages it needs; count, first and toArray', async () => {
    const expected = await rawList('layers/?page_size=100');
    assert.equal(expected.ids.length, layersAndTables.length);
    assert.deepEqual([...expected.ids].sort(), layersAndTables.map((l) => l.id).sort());

    // Every layer and table once, in the server's order, over ceil(6 / 2) = 3 pages.
    const calls: Call[] = [];
    const sdk = recordedClient(calls);
    const seen: number[] = [];
    for await (const layer of sdk.layers.list().pageSize(2)) {
      assert.ok(layer instanceof Layer);
      seen.push(layer.id);
    }
    assert.deepEqual(seen, expected.ids);
    const gets = calls.filter((c) => c.method === 'GET');
    assert.equal(gets.length, 3, gets.map((c) => c.url).join('\n'));
    assert.equal(new URL(gets[0]!.url).searchParams.get('page_size'), '2');
    assert.ok(gets.slice(1).every((c) => new URL(c.url).searchParams.get('page') !== null), 'later pages follow the page-next links');

    // limit(3) with page size 2: two pages, and three layers.
    calls.length = 0;
    const limited = await sdk.layers.list().pageSize(2).limit(3).toArray();
    assert.deepEqual(limited.map((l) => l.id), expected.ids.slice(0, 3));
    assert.equal(calls.filter((c) => c.method === 'GET').length, 2, calls.map((c) => c.url).join('\n'));

    // limit(3) alone asks for one page of three.
    calls.length = 0;
    assert.deepEqual((await sdk.layers.list().limit(3).toArray()).map((l) => l.id), expected.ids.slice(0, 3));
    assert.equal(calls.length, 1);
    assert.equal(new URL(calls[0]!.url).searchParams.get('page_size'), '3');

    // Breaking out of for await stops fetching.
    calls.length = 0;
    for await (const layer of sdk.layers.list().pageSize(2)) {
      assert.equal(layer.id, expected.ids[0]);
      break;
    }
    assert.equal(calls.length, 1);

    // count(): one HEAD when nothing was fetched, the server's total either way.
    calls.length = 0;
    const query = sdk.layers.list().pageSize(2);
    assert.equal(await query.count(), expected.total);
    assert.equal(expected.total, layersAndTables.length);
    assert.deepEqual(calls.map((c) => c.method), ['HEAD']);
    assert.equal(await sdk.layers.list().limit(2).count(), 2, 'limit caps count');

    // After a fetch, count() answers from the total it saw.
    calls.length = 0;
    const fetched = sdk.layers.list().pageSize(2);
    const all = await fetched.toArray();
    assert.deepEqual(all.map((l) => l.id), expected.ids);
    const before = calls.length;
    assert.equal(await fetched.count(), expected.total);
    assert.equal(calls.length, before, 'count after a fetch sends nothing');

    // first()
    calls.length = 0;
    const first = await sdk.layers.list().first();
    assert.ok(first instanceof Layer);
    assert.equal(first.id, expected.ids[0]);
    assert.equal(first.title, layersAndTables.find((l) => l.id === first.id)!.title);
    assert.equal(calls.length, 1);
    assert.equal(new URL(calls[0]!.url).searchParams.get('page_size'), '1');
    assert.equal(await sdk.layers.list().filter({ title: 'No such layer' }).first(), undefined);

    // Tables are their own list.
    assert.deepEqual((await sdk.tables.list().toArray()).map((t) => t.id), [table.id]);
    assert.equal((await sdk.tables.list().first())?.type, 'table');
  });

  it('filters (type, license__type, created_at__gte), refuses unknown filters before any GET, orders and expands', async () => {
    const calls: Call[] = [];
    const sdk = recordedClient(calls);

    const byType = await sdk.catalog.list().filter({ type: 'layer' }).toArray();
    assert.deepEqual(byType.map((i) => i.id).sort(), layers.map((l) => l.id).sort());
    assert.ok(byType.every((i) => i.type === 'layer'));
    const tables = await sdk.catalog.list().filter({ type: 'table' }).toArray();
    assert.deepEqual(tables.map((i) => [i.type, i.id]), [['table', table.id]]);
    const either = await sdk.catalog.list().filter({ type: ['layer', 'table'] }).count();
    assert.equal(either, layers.length + 1, 'an array ORs its values');

    calls.length = 0;
    const licensed = await sdk.catalog.list().filter({ license__type: 'cc-by' }).toArray();
    assert.deepEqual(licensed.map((i) => i.id), [countries.id]);
    const get = calls.find((c) => c.method === 'GET');
    assert.ok(get, 'a GET was sent');
    assert.equal(new URL(get.url).searchParams.get('license.type'), 'cc-by', get.url);
    assert.ok(!get.url.includes('license__type'), get.url);
    assert.deepEqual((await sdk.catalog.list().filter({ license__type: 'cc' }).toArray()).map((i) => i.id), [countries.id]);

    calls.length = 0;
    const recent = await sdk.catalog.list().filter({ type: 'layer', created_at__gte: startedAt }).count();
    assert.equal(recent, layers.length);
    const head = calls.find((c) => c.method === 'HEAD');
    assert.equal(new URL(head!.url).searchParams.get('created_at.gte'), startedAt.toISOString());
    assert.equal(await sdk.catalog.list().filter({ created_at__gte: new Date(Date.now() + 86_400_000) }).count(), 0);

    // Unknown filters and lookups are refused from OPTIONS alone (a fresh client, so nothing is cached).
    const freshCalls: Call[] = [];
    const fresh = recordedClient(freshCalls);
    await assert.rejects(fresh.layers.list().filter({ colour: 'red' }).toArray(), ClientValidationError);
    await assert.rejects(fresh.layers.list().filter({ created_at__near: startedAt }).count(), ClientValidationError);
    await assert.rejects(fresh.catalog.list().filter({ license__colour: 'cc' }).first(), ClientValidationError);
    assert.ok(freshCalls.length > 0);
    assert.ok(freshCalls.every((c) => c.method === 'OPTIONS'), freshCalls.map((c) => `${c.method} ${c.url}`).join('\n'));
    assert.deepEqual(freshCalls.map((c) => pathOf(c.url)).sort(), ['/services/api/v1/data/', '/services/api/v1/layers/'], 'OPTIONS once per list');
    // Offered lookups pass.
    assert.deepEqual((await fresh.layers.list().filter({ title__icontains: 'twenty' }).toArray()).map((l) => l.title).sort(), ['Twenty Points A', 'Twenty Points B']);

    // orderBy('-created_at'): newest first, as the server orders it.
    calls.length = 0;
    const newest = await sdk.catalog.list().filter({ type: 'layer' }).orderBy('-created_at').toArray();
    assert.deepEqual(new URL(calls.find((c) => c.method === 'GET')!.url).searchParams.getAll('sort'), ['-created_at']);
    const createdAt = newest.map((i) => Date.parse(String(i.created_at)));
    assert.deepEqual(createdAt, [...createdAt].sort((a, b) => b - a), 'created_at descends');
    assert.deepEqual(newest.map((i) => i.id), [...layers].reverse().map((l) => l.id), 'the layers in reverse creation order');
    const oldest = await sdk.catalog.list().filter({ type: 'layer' }).orderBy('created_at').toArray();
    assert.deepEqual(oldest.map((i) => i.id), layers.map((l) => l.id));
    const raw = await rawList('layers/?sort=title&page_size=100');
    assert.deepEqual((await sdk.layers.list().orderBy('title').toArray()).map((l) => l.id), raw.ids);

    // expand(): Expand: list, and full objects.
    calls.length = 0;
    const summaries = await sdk.layers.list().toArray();
    assert.equal(calls[0]!.headers.expand, undefined);
    assert.equal(summaries.find((l) => l.id === points.id)!.data.feature_count, undefined, 'summaries have no data');
    calls.length = 0;
    const full = await sdk.layers.list().expand().toArray();
    const fullGet = calls.find((c) => c.method === 'GET');
    assert.equal(fullGet?.headers.expand, 'list');
    const fullPoints = full.find((l) => l.id === points.id);
    assert.ok(fullPoints instanceof Layer);
    assert.equal(fullPoints.data.feature_count, 500);
    assert.equal(fullPoints.data.crs, 'EPSG:4326');
    assert.equal(fullPoints.version.number, 1);
    assert.equal(fullPoints.version.status, 'ok');
    const expandedCatalog = (await sdk.catalog.list().filter({ type: 'layer' }).expand().toArray()) as CatalogItem[];
    assert.ok(expandedCatalog.every((i) => typeof (i as { data?: { feature_count?: unknown } }).data?.feature_count === 'number'));

    // Licences by id and by Creative Commons slug.
    const ccBy = await sdk.licenses.getCreativeCommons('by', 'international');
    assert.equal(ccBy.type, 'cc-by');
    assert.equal(ccBy.version, '4.0');
    assert.equal((await sdk.licenses.get(ccBy.id)).url, ccBy.url);
    assert.ok((await sdk.licenses.list().filter({ type: 'cc-by' }).toArray()).some((l) => l.id === ccBy.id));
  });

  it('keeps queries immutable: each call returns a new query and leaves the original alone', async () => {
    const calls: Call[] = [];
    const sdk = recordedClient(calls);
    const q = sdk.layers.list();
    const filtered = q.filter({ title__startswith: 'Twenty' });
    const ordered = q.orderBy('-title');
    const limited = q.limit(1);
    const paged = q.pageSize(2);
    const expanded = q.expand();
    for (const derived of [filtered, ordered, limited, paged, expanded]) {
      assert.ok(derived instanceof Query);
      assert.notEqual(derived, q);
    }
    assert.equal((await filtered.toArray()).length, 2);
    assert.equal((await limited.toArray()).length, 1);
    assert.equal((await q.toArray()).length, layersAndTables.length, 'the original has no filter or limit');
    assert.equal(await q.count(), layersAndTables.length);
    const plain = calls.filter((c) => c.method === 'GET').at(-1)!;
    assert.equal(new URL(plain.url).search, '', `the original query sends no parameters: ${plain.url}`);
    assert.equal(plain.headers.expand, undefined);

    // Adding to a derived query does not reach its parent, or its siblings.
    const both = filtered.filter({ title__icontains: ' b' });
    assert.deepEqual((await both.toArray()).map((l) => l.title), ['Twenty Points B']);
    assert.equal((await filtered.toArray()).length, 2);
    const titles = (await ordered.toArray()).map((l) => l.title);
    assert.deepEqual(titles, [...titles].sort().reverse());
  });

  it('runs a layer through its lifecycle: create, import, publish, list, update, delete', async () => {
    const calls: Call[] = [];
    const sdk = recordedClient(calls);
    const datasource = datasourceFor(pointSources, 'grid_60');
    const draft = await sdk.layers.create(new Layer({ title: 'SDK Lifecycle', data: new LayerData({ datasources: [datasource.id] }) }));
    const post = calls.find((c) => c.method === 'POST')!;
    assert.deepEqual(JSON.parse(post.body!), { title: 'SDK Lifecycle', data: { datasources: [datasource.id] } }, 'only the fields given are sent');
    assert.ok(draft instanceof Layer);
    assert.equal(draft.title, 'SDK Lifecycle');
    assert.equal(draft.type, 'layer');
    assert.equal(draft.version.number, 1);
    assert.ok(['queued', 'importing', 'ok'].includes(draft.version.status), draft.version.status);
    assert.equal(draft.published_at ?? null, null);

    const progress: number[] = [];
    const imported = await draft.waitForImport({ intervalMs: 50, onProgress: (p) => progress.push(p) });
    assert.ok(progress.length >= 1, 'onProgress was called');
    assert.ok(progress.every((p) => p >= 0 && p <= 1), progress.join(', '));
    assert.equal(progress.at(-1), 1);
    assert.equal(imported.version.status, 'ok');
    assert.equal(imported.version.id, draft.version.id);
    assert.equal(imported.data.feature_count, 60);
    assert.equal(imported.data.crs, 'EPSG:4326');
    assert.ok((await sdk.layers.listDrafts().toArray()).some((l) => l.id === draft.id), 'the draft is listed among drafts');
    assert.ok(!(await sdk.layers.list().toArray()).some((l) => l.id === draft.id), 'not yet published');
    assert.equal((await draft.getVersion('draft')).version.id, draft.version.id);

    const publish = await imported.publish();
    assert.ok(typeof publish.url === 'string', JSON.stringify(publish));
    for (let state = String(publish.state); state === 'pending' || state === 'publishing'; ) {
      await sleep(50);
      state = String((await sdk.json<{ state: string }>('GET', String(publish.url))).state);
      assert.ok(['pending', 'publishing', 'completed'].includes(state), state);
    }
    assert.ok((await sdk.layers.list().toArray()).some((l) => l.id === draft.id), 'published layers list it');
    const published = await sdk.layers.get(draft.id);
    assert.equal(published.version.id, draft.version.id);
    assert.ok(published.published_at, 'published_at is set');
    assert.equal((await published.getVersion('published')).version.id, draft.version.id);

    const update = await published.startUpdate();
    assert.ok(update instanceof Layer);
    assert.notEqual(update.version.id, draft.version.id);
    assert.equal(update.version.number, 2);
    const updated = await update.waitForImport({ intervalMs: 50 });
    assert.equal(updated.version.status, 'ok');
    assert.equal(updated.data.feature_count, 60);
    const versions = await published.listVersions().toArray();
    assert.deepEqual(versions.map((v) => v.version.id).sort((a, b) => a - b), [draft.version.id, update.version.id].sort((a, b) => a - b));
    assert.equal((await sdk.layers.get(draft.id)).version.id, draft.version.id, 'the layer still shows its published version');

    await published.delete();
    const gone = await sdk.layers.get(draft.id).then(
      () => assert.fail('the deleted layer is still there'),
      (error: unknown) => error,
    );
    assert.ok(gone instanceof NotFound, String(gone));
    assert.equal(gone.status, 404);
    assert.ok(!(await sdk.layers.list().toArray()).some((l) => l.id === draft.id));
    // A layer not on the server yet can't be published or deleted (the method may throw or reject).
    await assert.rejects(async () => new Layer({ title: 'Not created' }).publish(), MapshelfError);
    await assert.rejects(async () => new Layer({ title: 'Not created' }).delete(), MapshelfError);
  });

  it('maps error answers to error classes', async () => {
    const reader = await createUserWithToken(server, 'sdk_reader', 'exports:read');
    const scoped = new Client({ baseUrl: server.url, token: reader.token });
    const scopeError = await scoped.layers.list().toArray().then(
      () => assert.fail('listing layers without layers:read succeeded'),
      (error: unknown) => error,
    );
    assert.ok(scopeError instanceof InvalidTokenScope, String(scopeError));
    assert.ok(scopeError instanceof Forbidden);
    assert.equal(scopeError.status, 403);
    assert.equal(scopeError.code, 'invalid_token_scope');
    assert.ok(scopeError.requiredScopes.includes('layers:read'), scopeError.requiredScopes.join(' '));
    assert.ok(scopeError.message.includes('layers:read'), scopeError.message);

    // No token at all (and none in the environment) on a route that needs one.
    const saved = { m: process.env.MAPSHELF_TOKEN, k: process.env.KOORDINATES_TOKEN };
    delete process.env.MAPSHELF_TOKEN;
    delete process.env.KOORDINATES_TOKEN;
    try {
      const anonymous = new Client({ baseUrl: server.url });
      await assert.rejects(anonymous.exports.list().toArray(), (error: unknown) => {
        assert.ok(error instanceof AuthenticationError, String(error));
        assert.equal(error.status, 401);
        assert.equal(error.code, 'authentication_required');
        return true;
      });
    } finally {
      if (saved.m !== undefined) process.env.MAPSHELF_TOKEN = saved.m;
      if (saved.k !== undefined) process.env.KOORDINATES_TOKEN = saved.k;
    }

    await assert.rejects(client.layers.get(999_999), (error: unknown) => {
      assert.ok(error instanceof NotFound, String(error));
      assert.equal(error.status, 404);
      assert.equal(error.code, 'not_found');
      assert.match(error.requestId ?? '', /^[0-9a-f-]{36}$/);
      assert.match(error.message, /999999/);
      return true;
    });

    const bad = new Export({ crs: 'EPSG:nope', formats: { vector: gpkg } }).addItem(points);
    await assert.rejects(client.exports.create(bad), (error: unknown) => {
      assert.ok(error instanceof BadRequest, String(error));
      assert.equal(error.status, 400);
      assert.ok(error.errors.some((e) => e.location === 'body.crs'), JSON.stringify(error.errors));
      return true;
    });
  });

  describe('exports', () => {
    let job: ExportJob;
    let full: Buffer;
    let contentLength: number;

    it('lists formats, validates, creates, waits and downloads into a folder, a file and streams, and resumes', async () => {
      const formats = await client.exports.getFormats();
      assert.equal(formats.vector?.[gpkg], 'GeoPackage');
      assert.ok(formats.table?.['text/csv'], JSON.stringify(formats.table));

      const request = new Export({ crs: 'EPSG:2193', formats: { vector: gpkg } }).addItem(points);
      const valid = await client.exports.validate(request);
      assert.equal(valid.is_valid, true, JSON.stringify(valid));
      assert.deepEqual(valid.invalid_reasons, []);
      assert.ok((valid.size_estimate_zipped ?? 0) > 0);
      const invalid = await client.exports.validate({ ...request, crs: 'EPSG:999999' });
      assert.equal(invalid.is_valid, false);
      assert.ok(invalid.invalid_reasons.some((r) => r.startsWith('body.crs: ')), invalid.invalid_reasons.join('\n'));
      const empty = await client.exports.validate(new Export({ crs: 'EPSG:2193', formats: { vector: gpkg } }));
      assert.equal(empty.is_valid, false);

      const created = await client.exports.create(request);
      assert.ok(created instanceof ExportJob);
      assert.equal(created.state, 'processing');
      assert.equal(created.download_url, null);
      const progress: number[] = [];
      job = await created.waitUntilComplete({ intervalMs: 50, onProgress: (p) => progress.push(p) });
      assert.equal(job.state, 'complete', job.error ?? '');
      assert.ok(progress.length >= 1);
      assert.ok(progress.every((p) => p >= 0 && p <= 1), progress.join(', '));
      assert.equal(progress.at(-1), 1);
      assert.equal(created.state, 'complete', 'the job waited on is updated too');
      assert.equal((await client.exports.get(job.id)).state, 'complete');
      assert.ok((await client.exports.list().toArray()).some((e) => e.id === job.id && e instanceof ExportJob));

      // The bytes as the server sends them.
      const raw = await fetch(job.download_url!, { headers: { authorization: `key ${adminToken}` } });
      assert.equal(raw.status, 200);
      contentLength = Number(raw.headers.get('content-length'));
      full = Buffer.from(await raw.arrayBuffer());
      assert.equal(full.length, contentLength);
      assert.equal(job.size, contentLength);

      // Into a folder: {name}.zip.
      const dir = mkdtempSync(join(work, 'dl-'));
      const reports: Array<[number, number | null]> = [];
      const written = await job.download(dir, { chunkSize: 1024, onProgress: (received, total) => reports.push([received, total]) });
      assert.equal(written, join(dir, `${job.name}.zip`));
      assert.equal(statSync(written!).size, contentLength);
      assert.ok(readFileSync(written!).equals(full));
      assert.ok(reports.length >= 2, `progress reported at the start and the end: ${reports.length}`);
      assert.deepEqual(reports[0], [0, contentLength]);
      assert.ok(reports.every(([, total]) => total === contentLength));
      assert.ok(reports.every(([received], i) => i === 0 || received >= reports[i - 1]![0]), 'received only grows');
      assert.deepEqual(reports.at(-1), [contentLength, contentLength]);
      const base = job.name.replace(/-GPKG$/, '');
      assert.equal(base, 'nz-points');
      assert.equal(featureCount(`/vsizip/${written}/${base}/${base}.gpkg`), 500);

      // Again into the same folder: the file is there already.
      await assert.rejects(job.download(dir), DownloadError);
      assert.ok(readFileSync(written!).equals(full), 'the existing file is untouched');

      // Into a file path.
      const file = join(work, 'copy.zip');
      assert.equal(await job.download(file), file);
      assert.ok(readFileSync(file).equals(full));

      // Into a Node Writable, which is left open.
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk);
          callback();
        },
      });
      assert.equal(await job.download(sink), null);
      assert.ok(Buffer.concat(chunks).equals(full));
      assert.equal(sink.writableEnded, false, 'the Node stream is left open');
      assert.equal(sink.writable, true);
      await new Promise<void>((resolve) => sink.end(resolve));

      // Into a web WritableStream, also left open (and unlocked).
      const webChunks: Uint8Array[] = [];
      let closed = false;
      const web = new WritableStream<Uint8Array>({ write: (chunk) => void webChunks.push(chunk), close: () => void (closed = true) });
      assert.equal(await job.download(web), null);
      assert.ok(Buffer.concat(webChunks).equals(full));
      assert.equal(web.locked, false);
      assert.equal(closed, false, 'the web stream is left open');
      await web.getWriter().close();
      assert.equal(closed, true);

      // Resume: the first half on disk, the rest by a Range request.
      const calls: Call[] = [];
      const sdk = recordedClient(calls);
      const resumeJob = await sdk.exports.get(job.id);
      const half = Math.floor(full.length / 2);
      const partial = join(work, 'partial.zip');
      writeFileSync(partial, full.subarray(0, half));
      const resumed: Array<[number, number | null]> = [];
      assert.equal(await resumeJob.download(partial, { resume: true, onProgress: (r, t) => resumed.push([r, t]) }), partial);
      assert.ok(readFileSync(partial).equals(full), 'the resumed file equals a full download byte for byte');
      assert.equal(calls.at(-1)!.headers.range, `bytes=${half}-`);
      assert.deepEqual(resumed[0], [half, contentLength]);
      assert.deepEqual(resumed.at(-1), [contentLength, contentLength]);
      // Resuming into a folder that holds the partial {name}.zip.
      const resumeDir = mkdtempSync(join(work, 'resume-'));
      writeFileSync(join(resumeDir, `${job.name}.zip`), full.subarray(0, 100));
      assert.equal(await resumeJob.download(resumeDir, { resume: true }), join(resumeDir, `${job.name}.zip`));
      assert.ok(readFileSync(join(resumeDir, `${job.name}.zip`)).equals(full));
      // Resume with no file yet starts from the beginning.
      const fresh = join(work, 'fresh.zip');
      await resumeJob.download(fresh, { resume: true });
      assert.ok(readFileSync(fresh).equals(full));
      // Resuming a file that is already whole: the server's 416 says so, and the file stays as it is.
      const whole: Array<[number, number | null]> = [];
      assert.equal(await resumeJob.download(fresh, { resume: true, onProgress: (r, t) => whole.push([r, t]) }), fresh);
      assert.ok(readFileSync(fresh).equals(full));
      assert.deepEqual(whole, [[full.length, full.length]]);
    });

    it('refuses to download an export that is not complete', async () => {
      const processing = await client.exports.create(new Export({ crs: 'EPSG:2193', formats: { vector: gpkg } }).addItem(countries));
      assert.equal(processing.state, 'processing');
      await assert.rejects(async () => processing.download(join(work, 'early.zip')), DownloadError);
      assert.equal(existsSync(join(work, 'early.zip')), false);
      await processing.waitUntilComplete({ intervalMs: 50 });
    });

    it('crop layers: list, get, features, and an export cropped to a crop feature', async () => {
      const res = await server.request('POST', 'exports/croplayers/', { body: { name: 'Countries', source_layer: countries.url, name_field: 'name' } });
      assert.equal(res.status, 201, res.text);
      const cropLayerId = res.body.id as number;

      const listed = await client.exports.croplayers.list().toArray();
      assert.deepEqual(listed.map((c) => c.id), [cropLayerId]);
      const cropLayer = await client.exports.croplayers.get(cropLayerId);
      assert.deepEqual(cropLayer, res.body);
      assert.equal(cropLayer.feature_count, 2);
      assert.equal((await client.exports.croplayers.list().filter({ name__icontains: 'count' }).count()), 1);

      const features = await client.exports.croplayers.listFeatures(cropLayerId).toArray();
      assert.deepEqual(features.map((f) => f.name).sort(), ['Australia', 'New Zealand']);
      const nzSummary = features.find((f) => f.name === 'New Zealand')!;
      const nz: CropFeature = await client.exports.croplayers.getFeature(cropLayerId, nzSummary.id);
      assert.equal(nz.name, 'New Zealand');
      assert.equal(nz.url, nzSummary.url);
      assert.equal(nz.geometry?.type, 'MultiPolygon');
      await assert.rejects(client.exports.croplayers.getFeature(cropLayerId, 999_999), NotFound);

      // What ogr2ogr keeps of the same points within New Zealand.
      const ref = join(work, 'ref-nz.gpkg');
      ogr2ogr(['-f', 'GPKG', '-nln', 'ref', '-t_srs', 'EPSG:2193', '-clipsrc', countriesGpkg, '-clipsrclayer', 'countries', '-clipsrcwhere', "name = 'New Zealand'", ref, pointsGpkg, 'grid']);
      const expected = featureCount(ref);
      assert.ok(expected > 0 && expected < 500, `points within New Zealand: ${expected}`);

      const calls: Call[] = [];
      const sdk = recordedClient(calls);
      const cropped = new Export({ crs: 'EPSG:2193', formats: { vector: gpkg }, extent: nz }).addItem(points);
      const created = await sdk.exports.create(cropped);
      const post = calls.find((c) => c.method === 'POST')!;
      assert.equal(JSON.parse(post.body!).extent, nz.url, 'the crop feature is sent as its URL');
      const done = await created.waitUntilComplete({ intervalMs: 50 });
      assert.equal(done.state, 'complete', done.error ?? '');
      assert.equal(done.extent, nz.url);
      const zip = (await done.download(mkdtempSync(join(work, 'crop-'))))!;
      assert.equal(featureCount(`/vsizip/${zip}/nz-points/nz-points.gpkg`), expected);
    });
  });
});

describe('sdk without a server', () => {
  const base = 'http://api.test';

  it('maps every status to its class, with Koordinates field messages, Retry-After and 405', async () => {
    const cases: Array<[number, Record<string, unknown>, Record<string, string>, Function, string]> = [
      [400, { title: ['This field is required.'], crs: ['Unknown CRS.', 'Use EPSG:XXXX.'] }, {}, BadRequest, 'title: This field is required.\ncrs: Unknown CRS.; Use EPSG:XXXX.'],
      [422, { detail: 'Unprocessable.' }, {}, BadRequest, 'Unprocessable.'],
      [405, { detail: 'Method not allowed.', code: 'method_not_allowed' }, {}, NotAllowed, 'Method not allowed.'],
      [429, { detail: 'Slow down.' }, { 'retry-after': '7' }, RateLimitExceeded, 'Slow down.'],
    ];
    for (const [status, body, headers, type, message] of cases) {
      const fake = scriptedFetch([jsonResponse(status, body, headers)]);
      await assert.rejects(new Client({ baseUrl: base, fetch: fake.fetch, maxRetries: 0 }).json('GET', 'layers/'), (error: unknown) => {
        assert.ok(error instanceof type, `${status}: ${String(error)}`);
        assert.equal((error as Error).message, message);
        if (error instanceof RateLimitExceeded) assert.equal(error.retryAfter, 7);
        return true;
      });
    }
  });

  it('retries idempotent requests only: a POST that met a 429 is not sent again', async () => {
    const limited = scriptedFetch([jsonResponse(429, { detail: 'slow down' }, { 'retry-after': '0' }), jsonResponse(201, { id: 1 })]);
    await assert.rejects(new Client({ baseUrl: base, fetch: limited.fetch }).json('POST', 'tokens/', { body: { name: 'x' } }), RateLimitExceeded);
    assert.equal(limited.calls.length, 1);
  });

  it('follows redirects itself, and drops the token when one leads to another host', async () => {
    const hops = scriptedFetch([
      () => new Response(null, { status: 302, headers: { location: '/services/api/v1/layers/2/' } }),
      () => new Response(null, { status: 307, headers: { location: 'https://files.elsewhere.test/layers/2/' } }),
      jsonResponse(200, { id: 2 }),
    ]);
    assert.deepEqual(await new Client({ baseUrl: base, token: 'secret', fetch: hops.fetch }).json('GET', 'layers/1/'), { id: 2 });
    assert.deepEqual(hops.calls.map((c) => [c.url, c.headers.authorization]), [
      [`${base}/services/api/v1/layers/1/`, 'key secret'],
      [`${base}/services/api/v1/layers/2/`, 'key secret'],
      ['https://files.elsewhere.test/layers/2/', undefined],
    ]);
    const loop = scriptedFetch([() => new Response(null, { status: 302, headers: { location: '/again/' } })]);
    await assert.rejects(new Client({ baseUrl: base, fetch: loop.fetch }).json('GET', 'layers/'), APIConnectionError);
  });

  it('retries 429 (after Retry-After), 502-504 and network errors, but not 500', async () => {
    const ok = jsonResponse(200, { id: 1, title: 'done' });
    const limited = jsonResponse(429, { detail: 'slow down', code: 'throttled' }, { 'retry-after': '0' });

    const twice = scriptedFetch([limited, limited, ok]);
    const started = Date.now();
    assert.deepEqual(await new Client({ baseUrl: base, token: 't', fetch: twice.fetch }).json('GET', 'layers/1/'), { id: 1, title: 'done' });
    assert.equal(twice.calls.length, 3);
    assert.ok(Date.now() - started < 400, 'Retry-After: 0 means no backoff');
    assert.ok(twice.calls.every((c) => c.url === `${base}/services/api/v1/layers/1/` && c.headers.authorization === 'key t'));

    const noRetry = scriptedFetch([limited, ok]);
    await assert.rejects(new Client({ baseUrl: base, fetch: noRetry.fetch, maxRetries: 0 }).json('GET', 'layers/'), (error: unknown) => {
      assert.ok(error instanceof RateLimitExceeded, String(error));
      assert.equal(error.status, 429);
      assert.equal(error.code, 'throttled');
      assert.equal(error.message, 'slow down');
      return true;
    });
    assert.equal(noRetry.calls.length, 1);

    const exhausted = scriptedFetch([limited]);
    await assert.rejects(new Client({ baseUrl: base, fetch: exhausted.fetch }).json('GET', 'layers/'), RateLimitExceeded);
    assert.equal(exhausted.calls.length, 3, 'maxRetries 2: three tries in all');

    const perRequest = scriptedFetch([limited, ok]);
    await assert.rejects(new Client({ baseUrl: base, fetch: perRequest.fetch }).json('GET', 'layers/', { maxRetries: 0 }), RateLimitExceeded);
    assert.equal(perRequest.calls.length, 1);

    for (const status of [502, 503, 504]) {
      const unavailable = scriptedFetch([jsonResponse(status, { detail: 'later' }, { 'retry-after': '0' }), ok]);
      assert.deepEqual(await new Client({ baseUrl: base, fetch: unavailable.fetch }).json('GET', 'layers/1/'), { id: 1, title: 'done' });
      assert.equal(unavailable.calls.length, 2, `${status} is retried`);
    }
    const stillDown = scriptedFetch([jsonResponse(503, { detail: 'down' }, { 'retry-after': '0' })]);
    await assert.rejects(new Client({ baseUrl: base, fetch: stillDown.fetch, maxRetries: 1 }).json('GET', 'layers/'), (error: unknown) => {
      assert.ok(error instanceof ServiceUnavailable, String(error));
      assert.equal(error.status, 503);
      return true;
    });
    assert.equal(stillDown.calls.length, 2);

    const broken = scriptedFetch([jsonResponse(500, { detail: 'boom', code: 'internal_error', request_id: 'r-1' }), ok]);
    await assert.rejects(new Client({ baseUrl: base, fetch: broken.fetch }).json('GET', 'layers/'), (error: unknown) => {
      assert.ok(error instanceof InternalServerError, String(error));
      assert.equal(error.status, 500);
      assert.equal(error.requestId, 'r-1');
      return true;
    });
    assert.equal(broken.calls.length, 1, '500 is not retried');

    // A proxy's HTML error page still maps by status.
    const html = scriptedFetch([() => new Response('<h1>Bad gateway</h1>', { status: 502, headers: { 'x-request-id': 'px' } })]);
    await assert.rejects(new Client({ baseUrl: base, fetch: html.fetch, maxRetries: 0 }).json('GET', 'layers/'), (error: unknown) => {
      assert.ok(error instanceof ServiceUnavailable);
      assert.equal(error.message, '<h1>Bad gateway</h1>');
      assert.equal(error.body, '<h1>Bad gateway</h1>');
      assert.equal(error.requestId, 'px');
      return true;
    });

    // Creating an export is not retried: it is not idempotent.
    const create = scriptedFetch([jsonResponse(503, { detail: 'down' }, { 'retry-after': '0' }), jsonResponse(202, { id: 1, state: 'processing' })]);
    await assert.rejects(new Client({ baseUrl: base, fetch: create.fetch }).exports.create(new Export({ crs: 'EPSG:2193' })), ServiceUnavailable);
    assert.equal(create.calls.length, 1);

    // The network fails once, then answers.
    const flaky = scriptedFetch([new TypeError('fetch failed'), ok]);
    assert.deepEqual(await new Client({ baseUrl: base, fetch: flaky.fetch, maxRetries: 1 }).json('GET', 'layers/1/'), { id: 1, title: 'done' });
    assert.equal(flaky.calls.length, 2);

    // The network keeps failing: retried, then APIConnectionError with the cause.
    const cause = new TypeError('fetch failed');
    const down = scriptedFetch([cause]);
    await assert.rejects(new Client({ baseUrl: base, fetch: down.fetch, maxRetries: 1 }).json('GET', 'layers/'), (error: unknown) => {
      assert.ok(error instanceof APIConnectionError, String(error));
      assert.ok(!(error instanceof APITimeoutError));
      assert.equal(error.cause, cause);
      assert.ok(error.message.includes(`${base}/services/api/v1/layers/`), error.message);
      return true;
    });
    assert.equal(down.calls.length, 2);
  });

  it('gives up on a slow request with APITimeoutError', async () => {
    // AbortSignal.timeout's timer does not keep Node alive, and a fake fetch holds no socket.
    const keepAlive = setInterval(() => {}, 1000);
    try {
      let tries = 0;
      const hanging: typeof fetch = (_input, init) => {
        tries++;
        return new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason), { once: true }));
      };
      await assert.rejects(new Client({ baseUrl: base, fetch: hanging, timeout: 50, maxRetries: 0 }).json('GET', 'layers/'), APITimeoutError);
      assert.equal(tries, 1);
      // A caller's own abort is the caller's error, not retried.
      tries = 0;
      const controller = new AbortController();
      const aborted = new Client({ baseUrl: base, fetch: hanging }).json('GET', 'layers/', { signal: controller.signal });
      controller.abort(new Error('stop'));
      await assert.rejects(aborted, /stop/);
      assert.equal(tries, 1);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('builds the API root from host or baseUrl, and takes the token from the environment', async () => {
    assert.equal(new Client({ host: 'data.example.org' }).baseUrl, 'https://data.example.org/services/api/v1/');
    assert.equal(new Client({ host: 'data.example.org', protocol: 'http' }).baseUrl, 'http://data.example.org/services/api/v1/');
    for (const given of ['http://localhost:8080', 'http://localhost:8080/', 'http://localhost:8080/services/api/v1', 'http://localhost:8080/services/api/v1/']) {
      assert.equal(new Client({ baseUrl: given }).baseUrl, 'http://localhost:8080/services/api/v1/', given);
    }
    assert.equal(new Client({ host: 'ignored.example.org', baseUrl: 'http://localhost:8080' }).baseUrl, 'http://localhost:8080/services/api/v1/', 'baseUrl wins');
    assert.throws(() => new Client(), MapshelfError);
    assert.throws(() => new Client({ token: 'x' }), MapshelfError);

    const client = new Client({ baseUrl: 'http://localhost:8080/' });
    assert.equal(client.url('layers/1/'), 'http://localhost:8080/services/api/v1/layers/1/');
    assert.equal(client.url('/layers/', { page_size: 2, sort: ['-title', 'id'], skip: undefined }), 'http://localhost:8080/services/api/v1/layers/?page_size=2&sort=-title&sort=id');
    assert.equal(client.url('http://elsewhere.test/x/?a=1', { b: true }), 'http://elsewhere.test/x/?a=1&b=true');

    const saved = { m: process.env.MAPSHELF_TOKEN, k: process.env.KOORDINATES_TOKEN };
    const authorization = async (options: { token?: string }) => {
      const { fetch, calls } = scriptedFetch([jsonResponse(200, {})]);
      await new Client({ baseUrl: base, fetch, userAgent: 'sdk-test/1', ...options }).json('GET', 'layers/');
      assert.equal(calls[0]!.headers['user-agent'], 'sdk-test/1');
      assert.equal(calls[0]!.headers.accept, 'application/json');
      return calls[0]!.headers.authorization;
    };
    try {
      process.env.MAPSHELF_TOKEN = 'from-mapshelf-env';
      process.env.KOORDINATES_TOKEN = 'from-koordinates-env';
      assert.equal(await authorization({}), 'key from-mapshelf-env');
      assert.equal(await authorization({ token: 'given' }), 'key given', 'a token given wins');
      delete process.env.MAPSHELF_TOKEN;
      assert.equal(await authorization({}), 'key from-koordinates-env');
      delete process.env.KOORDINATES_TOKEN;
      assert.equal(await authorization({}), undefined, 'no token, no Authorization header');
    } finally {
      if (saved.m === undefined) delete process.env.MAPSHELF_TOKEN;
      else process.env.MAPSHELF_TOKEN = saved.m;
      if (saved.k === undefined) delete process.env.KOORDINATES_TOKEN;
      else process.env.KOORDINATES_TOKEN = saved.k;
    }
  });

  it('builds export requests: items by object or URL, crop features as URLs', () => {
    const exp = new Export({ crs: 'EPSG:2193', formats: { vector: gpkg } })
      .addItem({ url: 'http://h/services/api/v1/layers/1/' }, { color: '#ff0000' })
      .addItem('http://h/services/api/v1/tables/2/');
    assert.deepEqual(exp.toJSON(), {
      crs: 'EPSG:2193',
      formats: { vector: gpkg },
      items: [{ item: 'http://h/services/api/v1/layers/1/', color: '#ff0000' }, { item: 'http://h/services/api/v1/tables/2/' }],
    });
    const feature: CropFeature = { id: 3, name: 'NZ', url: 'http://h/services/api/v1/exports/croplayers/1/cropfeatures/3/' };
    assert.equal(new Export({ extent: feature }).toJSON().extent, feature.url);
    const polygon = { type: 'Polygon' as const, coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] };
    assert.deepEqual(new Export({ extent: polygon }).toJSON().extent, polygon);
    const copy = new Export(exp).addItem('http://h/services/api/v1/layers/9/');
    assert.equal(exp.items.length, 2, 'a copy does not share its items');
    assert.equal(copy.items.length, 3);
  });

  describe('downloads from a fake server', () => {
    const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
    const jobBody = { id: 7, name: 'fake-export', url: `${base}/services/api/v1/exports/7/`, state: 'complete', download_url: `${base}/services/api/v1/exports/7/download/` };
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), 'mapshelf-sdk-fake-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** A download in 1,000-byte chunks; honours Range unless told not to. */
    const fakeServer = (options: { ranges: boolean }) => {
      const calls: Call[] = [];
      const fake: typeof fetch = async (input, init) => {
        const headers = { ...((init?.headers ?? {}) as Record<string, string>) };
        calls.push({ method: init?.method ?? 'GET', url: String(input), headers, body: undefined });
        if (String(input) === jobBody.url) return jsonResponse(200, jobBody)();
        const from = options.ranges && headers.range ? Number(/^bytes=(\d+)-$/.exec(headers.range)![1]) : 0;
        const body = bytes.subarray(from);
        let offset = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (offset >= body.length) return controller.close();
            controller.enqueue(new Uint8Array(body.subarray(offset, offset + 1000)));
            offset += 1000;
          },
        });
        return new Response(stream, {
          status: from > 0 ? 206 : 200,
          headers: { 'content-length': String(body.length), 'content-type': 'application/zip', ...(from > 0 && { 'content-range': `bytes ${from}-${bytes.length - 1}/${bytes.length}` }) },
        });
      };
      return { client: new Client({ baseUrl: base, fetch: fake }), calls };
    };

    it('reports progress every chunkSize bytes, ending at the total', async () => {
      const { client } = fakeServer({ ranges: true });
      const job = await client.exports.get(7);
      const reports: Array<[number, number | null]> = [];
      const file = join(dir, 'progress.zip');
      await job.download(file, { chunkSize: 2500, onProgress: (received, total) => reports.push([received, total]) });
      assert.ok(readFileSync(file).equals(bytes));
      assert.deepEqual(reports, [[0, 10_000], [3000, 10_000], [6000, 10_000], [9000, 10_000], [10_000, 10_000]]);
    });

    it('starts a resumed download again from the start when the server ignores the Range', async () => {
      const { client, calls } = fakeServer({ ranges: false });
      const job = await client.exports.get(7);
      const file = join(dir, 'ignored-range.zip');
      writeFileSync(file, bytes.subarray(0, 4000));
      const reports: Array<[number, number | null]> = [];
      assert.equal(await job.download(file, { resume: true, onProgress: (r, t) => reports.push([r, t]) }), file);
      assert.ok(readFileSync(file).equals(bytes), 'the file is the whole download, not the part plus the whole');
      assert.equal(calls.filter((c) => c.url === jobBody.download_url)[0]!.headers.range, 'bytes=4000-');
      assert.deepEqual(reports.at(-1), [10_000, 10_000]);
    });

    it('resumes where the file ends when the server honours the Range', async () => {
      const { client, calls } = fakeServer({ ranges: true });
      const job = await client.exports.get(7);
      const file = join(dir, 'resumed.zip');
      writeFileSync(file, bytes.subarray(0, 4000));
      const reports: Array<[number, number | null]> = [];
      await job.download(file, { resume: true, chunkSize: 1, onProgress: (r, t) => reports.push([r, t]) });
      assert.ok(readFileSync(file).equals(bytes));
      assert.equal(calls.filter((c) => c.url === jobBody.download_url).length, 1);
      assert.deepEqual(reports[0], [4000, 10_000]);
      assert.deepEqual(reports.at(-1), [10_000, 10_000]);
    });

    it('rejects with DownloadError when the file cannot be written', async () => {
      const { client } = fakeServer({ ranges: true });
      const job = await client.exports.get(7);
      const uncaught: unknown[] = [];
      const record = (error: unknown) => uncaught.push(error);
      process.on('uncaughtException', record);
      try {
        const target = join(dir, 'no-such-folder', 'export.zip');
        const outcome = await job.download(target).then(
          (written) => `resolved with ${written}`,
          (error: unknown) => error,
        );
        await sleep(50);
        assert.deepEqual(uncaught, [], 'nothing escapes as an uncaught exception');
        assert.ok(outcome instanceof DownloadError, `download to a missing folder: ${String(outcome)}`);
      } finally {
        process.off('uncaughtException', record);
      }
    });
  });
});
